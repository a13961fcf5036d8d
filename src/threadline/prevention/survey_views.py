"""The pupils' survey: public pages, no account, nothing identifying kept.

A pupil enters the session code the facilitator shows; the round is remembered in the session (the only
cookies are the session and CSRF ones); the answers are recorded without an address or a time of day. Wrong
codes are limited per client (counted in the cache under a keyed hash of the address, never stored:
:mod:`threadline.core.ratelimit`).
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views import View

from threadline.core.ratelimit import Limit
from threadline.prevention import definitions, services
from threadline.prevention.forms import SEX_COLUMNS, CodeForm
from threadline.prevention.models import SurveyRound

SESSION_ROUND = "prevention_survey_round"
SESSION_LANGUAGE = "prevention_survey_language"
ATTEMPTS = 20
WINDOW_SECONDS = 600


CODE_LIMIT = Limit("prevention-survey-codes", attempts=ATTEMPTS, window=WINDOW_SECONDS)


def _limited(request) -> bool:
    """True when this client typed too many wrong codes in the last ten minutes. Only failures count: a
    class behind one school address enters the right code many times."""
    return CODE_LIMIT.exceeded(request)


def _failed(request) -> None:
    CODE_LIMIT.hit(request)


def _survey_language(request) -> str:
    """?lang= (remembered in the session), else the page language; only languages the site offers."""
    offered = {code for code, _name in settings.LANGUAGES}
    wanted = request.GET.get("lang", "")
    if wanted in offered:
        request.session[SESSION_LANGUAGE] = wanted
    language = request.session.get(SESSION_LANGUAGE) or (translation.get_language() or "en").split("-")[0]
    language = language if language in offered else "en"
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


class SurveyStartView(View):
    def get(self, request, code: str = ""):
        language = _survey_language(request)
        form = CodeForm(initial={"code": code})
        return render(request, "prevention/survey_start.html", {"form": form, "language": language})

    def post(self, request, code: str = ""):
        language = _survey_language(request)
        form = CodeForm(request.POST)
        if _limited(request):
            form.add_error(None, _("Too many attempts. Wait a few minutes, then ask your facilitator for the code."))
            return render(request, "prevention/survey_start.html", {"form": form, "language": language}, status=429)
        if form.is_valid():
            survey_round = services.round_for_code(form.cleaned_data["code"])
            if survey_round is not None:
                request.session[SESSION_ROUND] = survey_round.pk
                return redirect("survey:answer")
            _failed(request)
            form.add_error("code", _("This code does not work. Check it with your facilitator: codes expire."))
        return render(request, "prevention/survey_start.html", {"form": form, "language": language}, status=400)


def _questions(questionnaire, language: str):
    shown = language if language in questionnaire.languages else "en"
    out = []
    for number, item in enumerate(questionnaire.items, start=1):
        out.append(
            {
                "id": item.id,
                "number": number,
                "text": questionnaire.text(item.text, shown),
                "options": [
                    (str(v), questionnaire.text(label, shown))
                    for v, label in zip(item.options, item.labels, strict=True)
                ],
            }
        )
    return shown, out


class SurveyAnswerView(View):
    def _round(self, request) -> SurveyRound | None:
        pk = request.session.get(SESSION_ROUND)
        found = SurveyRound.objects.select_related("plan__school").filter(pk=pk).first() if pk else None
        if found is None or services.round_for_code(found.code) is None:
            return None
        return found

    def _render(self, request, survey_round, language, *, error=None, answers=None, status=200):
        questionnaire = definitions.questionnaire(survey_round.questionnaire_id, survey_round.questionnaire_version)
        shown, questions = _questions(questionnaire, language)
        try:
            direction = "rtl" if get_language_info(shown)["bidi"] else "ltr"
        except KeyError:
            direction = "ltr"
        ctx = {
            "questionnaire": questionnaire,
            "title": questionnaire.text(questionnaire.title, shown),
            "instructions": questionnaire.text(questionnaire.raw.get("instructions"), shown),
            "questions": questions,
            "question_language": shown,
            "question_dir": direction,
            "sexes": SEX_COLUMNS,
            "bands": questionnaire.age_bands,
            "error": error,
            "answers": answers or {},
        }
        return render(request, "prevention/survey_answer.html", ctx, status=status)

    def get(self, request):
        language = _survey_language(request)
        survey_round = self._round(request)
        if survey_round is None:
            return redirect("survey:start")
        return self._render(request, survey_round, language)

    def post(self, request):
        language = _survey_language(request)
        survey_round = self._round(request)
        if survey_round is None:
            return redirect("survey:start")
        questionnaire = definitions.questionnaire(survey_round.questionnaire_id, survey_round.questionnaire_version)
        answers = {i.id: request.POST.get(f"q-{i.id}", "") for i in questionnaire.items}
        try:
            services.response_record(
                survey_round=survey_round,
                answers=answers,
                sex=request.POST.get("sex", ""),
                age_band=request.POST.get("age_band", ""),
                code=request.POST.get("pair_code", ""),
            )
        except services.PreventionError as exc:
            message = _("Please check your answers: %(field)s %(reason)s") % {
                "field": exc.field or "",
                "reason": exc.message,
            }
            if exc.field == "code":
                message = _("Your secret code can only use letters, digits and hyphens (2 to 24). Never your name.")
            return self._render(request, survey_round, language, error=message, answers=answers, status=400)
        request.session.pop(SESSION_ROUND, None)
        return redirect("survey:thanks")


class SurveyThanksView(View):
    def get(self, request):
        _survey_language(request)
        return render(request, "prevention/survey_thanks.html", {})
