"""Sign-in, second factor, profile and tokens, organisation members. Thin: services do the work."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from threadline.accounts import services
from threadline.accounts.forms import (
    CodeForm,
    MemberCreateForm,
    MembershipForm,
    OrganisationCreateForm,
    PasswordResetRequestForm,
    SignInForm,
    TokenCreateForm,
)
from threadline.accounts.middleware import SESSION_MFA, SESSION_ORG
from threadline.accounts.models import ApiToken, Invitation, Membership, MFADevice
from threadline.audit.services import audit_record
from threadline.core.client import client_ip
from threadline.core.views import OrganisationPermissionMixin, ScopedListView

SESSION_PENDING_DEVICE = "threadline_mfa_pending_device"


def mfa_locked_message() -> str:
    return _("Too many wrong codes. Wait %(minutes)d minutes before trying again, or ask an administrator.") % {
        "minutes": settings.LOGIN_LOCKOUT_MINUTES
    }


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class SignInView(FormView):
    template_name = "accounts/login.html"
    form_class = SignInForm

    def form_valid(self, form):
        result = services.sign_in_check(
            request=self.request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if result.user is None:
            if result.locked:
                form.add_error(None, _("Too many failed attempts. Try again later or ask an administrator."))
            else:
                form.add_error(None, _("The email address or password is not correct."))
            return self.form_invalid(form)
        login(self.request, result.user)
        self.request.session[SESSION_MFA] = False
        audit_record(action="login", object_type="accounts.user", object_id=str(result.user.pk), actor=result.user)
        landing = "accounts:invitations" if services.invitations_pending(user=result.user).exists() else "core:home"
        response = redirect(_safe_next(self.request, reverse(landing)))
        if result.user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                result.user.language,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class PasswordResetRequestView(FormView):
    """Ask for a reset link. The page says the same whether or not the address has an account."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm

    def form_valid(self, form):
        request = self.request

        def link_for(uidb64: str, token: str) -> str:
            return request.build_absolute_uri(reverse("accounts:password_reset_confirm", args=[uidb64, token]))

        try:
            services.password_reset_request(email=form.cleaned_data["email"], ip=client_ip(request), link_for=link_for)
        except services.ResetLimited:
            form.add_error(None, _("Too many reset requests. Try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return render(request, "accounts/password_reset_sent.html", {"minutes": services.reset_minutes()})


class PasswordResetConfirmView(FormView):
    """Choose a new password from a reset link. The link works once; signing in afterwards still needs the
    second factor."""

    template_name = "accounts/password_reset_confirm.html"

    @cached_property
    def account(self):
        return services.password_reset_user(uidb64=self.kwargs["uidb64"], token=self.kwargs["token"])

    def dispatch(self, request, *args, **kwargs):
        if self.account is None:
            return render(request, "accounts/password_reset_invalid.html", status=400)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return SetPasswordForm(self.account, **self.get_form_kwargs())

    def form_valid(self, form):
        services.password_reset_complete(user=self.account, password=form.cleaned_data["new_password1"])
        messages.success(self.request, _("Your password was changed. Sign in with it and your authenticator code."))
        return redirect("accounts:login")


class SignOutView(View):
    def post(self, request):
        if request.user.is_authenticated:
            audit_record(action="logout", object_type="accounts.user", object_id=str(request.user.pk))
        logout(request)
        return redirect("accounts:login")


class MFASetupView(LoginRequiredMixin, View):
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm with a first code."""

    template_name = "accounts/mfa_setup.html"

    def dispatch(self, request, *args, **kwargs):
        # Replacing an enrolled factor needs that factor first: a password alone must never be enough.
        if request.user.is_authenticated and request.user.has_confirmed_mfa and not request.session.get(SESSION_MFA):
            return redirect(f"{reverse('accounts:mfa_verify')}?next={reverse('accounts:mfa_setup')}")
        return super().dispatch(request, *args, **kwargs)

    def _device(self, request) -> MFADevice:
        pending = request.session.get(SESSION_PENDING_DEVICE)
        device = MFADevice.objects.filter(pk=pending, user=request.user, confirmed=False).first()
        if device is None:
            device = services.mfa_device_start(user=request.user)
            request.session[SESSION_PENDING_DEVICE] = device.pk
        return device

    def _render(self, request, form, device, status=200):
        uri = services.mfa_provisioning_uri(device)
        qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff", title=_("QR code"))
        ctx = {
            "form": form,
            "qr_svg": qr_svg,
            "secret": device.secret,
            "already": request.user.has_confirmed_mfa,
        }
        return render(request, self.template_name, ctx, status=status)

    def get(self, request):
        return self._render(request, CodeForm(), self._device(request))

    def post(self, request):
        device = self._device(request)
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                codes = services.mfa_device_confirm(
                    device=device, code=form.cleaned_data["code"], ip=client_ip(request)
                )
            except services.SecondFactorLocked:
                form.add_error("code", mfa_locked_message())
                return self._render(request, form, device, status=400)
            if codes is not None:
                request.session.pop(SESSION_PENDING_DEVICE, None)
                request.session[SESSION_MFA] = True
                request.session.cycle_key()
                return render(request, "accounts/recovery_codes.html", {"codes": codes})
            form.add_error("code", _("That code is not correct. Check the time on your phone and try again."))
        return self._render(request, form, device, status=400)


class MFAVerifyView(LoginRequiredMixin, FormView):
    template_name = "accounts/mfa_verify.html"
    form_class = CodeForm

    def form_valid(self, form):
        try:
            verified = services.mfa_verify(
                user=self.request.user, code=form.cleaned_data["code"], ip=client_ip(self.request)
            )
        except services.SecondFactorLocked:
            form.add_error("code", mfa_locked_message())
            return self.form_invalid(form)
        if verified:
            self.request.session[SESSION_MFA] = True
            self.request.session.cycle_key()
            return redirect(_safe_next(self.request, reverse("core:home")))
        form.add_error("code", _("That code is not correct."))
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["next"] = self.request.GET.get("next", "")
        return ctx


class SwitchOrganisationView(LoginRequiredMixin, View):
    def post(self, request):
        try:
            org_id = int(request.POST.get("organisation", ""))
        except ValueError:
            org_id = None
        if org_id is None or org_id not in {o.pk for o in request.user_organisations}:
            raise PermissionDenied
        request.session[SESSION_ORG] = org_id
        return redirect("core:home")


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["tokens"] = ApiToken.objects.filter(user=user).select_related("organisation")
        ctx["token_form"] = TokenCreateForm()
        ctx["recovery_left"] = user.recovery_codes.filter(used_at__isnull=True).count()
        ctx["memberships"] = Membership.objects.filter(user=user, is_active=True).select_related("organisation")
        return ctx


class RecoveryCodesView(LoginRequiredMixin, View):
    def post(self, request):
        if not request.user.has_confirmed_mfa:
            return redirect("accounts:mfa_setup")
        codes = services.recovery_codes_regenerate(user=request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes})


class TokenCreateView(LoginRequiredMixin, View):
    """A token for the current organisation; its key is shown once."""

    def post(self, request):
        form = TokenCreateForm(request.POST)
        if request.organisation is None:
            raise PermissionDenied
        if not form.is_valid():
            messages.error(request, _("The token was not created: check the name and expiry."))
            return redirect("accounts:profile")
        token, key = services.token_create(
            user=request.user,
            organisation=request.organisation,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        return render(request, "accounts/token_created.html", {"token": token, "key": key})


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        services.token_revoke(token=token)
        messages.success(request, _("The token was revoked."))
        return redirect("accounts:profile")


class MemberListView(ScopedListView):
    model = Membership
    permission_required = "accounts.view_membership"
    template_name = "accounts/member_list.html"
    context_object_name = "memberships"

    def get_queryset(self):
        return super().get_queryset().select_related("user")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["invitations"] = (
            Invitation.objects.restrict(self.request.user, "view", self.request.organisation)
            .filter(status=Invitation.Status.PENDING)
            .select_related("user")
        )
        return ctx


class MemberCreateView(OrganisationPermissionMixin, FormView):
    """Invite a person by e-mail. The page answers the same whether or not the address has an account."""

    permission_required = "accounts.add_invitation"
    template_name = "accounts/member_form.html"
    form_class = MemberCreateForm

    def form_valid(self, form):
        try:
            services.member_invite(
                organisation=self.request.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                invited_by=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The invitation for %(email)s was recorded. They become a member when they accept it after signing in.")
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("accounts:members")


class InvitationListView(LoginRequiredMixin, TemplateView):
    """The signed-in person's pending invitations to organisations."""

    template_name = "accounts/invitation_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["invitations"] = services.invitations_pending(user=self.request.user)
        return ctx


class InvitationAnswerView(LoginRequiredMixin, View):
    def post(self, request, pk):
        invitation = get_object_or_404(services.invitations_pending(user=request.user), pk=pk)
        accept = request.POST.get("decision") == "accept"
        services.invitation_answer(invitation=invitation, user=request.user, accept=accept)
        if accept:
            request.session[SESSION_ORG] = invitation.organisation_id
            messages.success(request, _("You are now a member of %(org)s.") % {"org": invitation.organisation.name})
            return redirect("core:home")
        messages.success(request, _("The invitation was declined."))
        return redirect("accounts:invitations")


class MemberEditView(OrganisationPermissionMixin, FormView):
    permission_required = "accounts.change_membership"
    template_name = "accounts/member_edit.html"
    form_class = MembershipForm

    @cached_property
    def membership(self) -> Membership:
        request = self.request
        scoped = Membership.objects.restrict(request.user, "change", request.organisation)
        return get_object_or_404(scoped.select_related("user"), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.membership  # noqa: B018 - 404 before rendering anything
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"role": self.membership.role, "is_active": self.membership.is_active}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["membership"] = self.membership
        return ctx

    def form_valid(self, form):
        if self.membership.user_id == self.request.user.pk and (
            form.cleaned_data["role"] != self.membership.role or not form.cleaned_data["is_active"]
        ):
            form.add_error(None, _("You cannot change your own role; ask another administrator."))
            return self.form_invalid(form)
        services.membership_set(
            user=self.membership.user,
            organisation=self.request.organisation,
            role=form.cleaned_data["role"],
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(self.request, _("The membership was updated."))
        return redirect("accounts:members")


class OrganisationCreateView(LoginRequiredMixin, FormView):
    """Platform administrators (staff) create organisations; they then add the first administrator."""

    template_name = "accounts/organisation_form.html"
    form_class = OrganisationCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            org = services.organisation_create(name=form.cleaned_data["name"], country=form.cleaned_data["country"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        services.membership_set(user=self.request.user, organisation=org, role="administrator")
        self.request.session[SESSION_ORG] = org.pk
        messages.success(self.request, _("The organisation was created. You are its first administrator."))
        return redirect("accounts:members")


class LanguageView(View):
    """Django's language switch, remembered on the signed-in user's profile as well as in the cookie."""

    def post(self, request):
        from django.views.i18n import set_language

        response = set_language(request)
        language = request.POST.get("language", "")
        if request.user.is_authenticated and language in dict(settings.LANGUAGES):
            services.user_set_language(user=request.user, language=language)
        return response
