"""Writes of the prevention area: keyword-only, atomic, audited (the models are ``AuditedModel``s).

Nothing written here identifies a pupil. Survey responses are recorded without the requester's address (the
audit entry says only that a response was recorded for a round); a pupil's pairing code is kept as a keyed
hash within the school; a concern's note is encrypted and never logged. One module per part: :mod:`.programme`,
:mod:`.surveys`, :mod:`.safeguarding`, and :mod:`.common` for the limits and errors they share.
"""

from threadline.prevention.services.common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_MINUTES,
    CSV_MAX_BYTES,
    CURRICULUM_MAX_BYTES,
    DEFAULT_ACKNOWLEDGE_HOURS,
    DEFAULT_CLOSE_HOURS,
    CurriculumRejected,
    PreventionError,
    parse_date,
)
from threadline.prevention.services.programme import (
    curriculum_upload,
    district_save,
    facilitator_save,
    plan_create,
    reach_update,
    school_save,
    session_log,
    summary_publish,
    summary_withdraw,
    training_add,
)
from threadline.prevention.services.safeguarding import (
    concern_acknowledge,
    concern_close,
    concern_open_screening,
    concern_record,
    protocol_save,
)
from threadline.prevention.services.surveys import (
    CheckedResponse,
    RowProblem,
    UploadReport,
    normalise_code,
    pair_key,
    response_record,
    responses_upload,
    round_close,
    round_for_code,
    round_open,
    tallies_add,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CODE_MINUTES",
    "CSV_MAX_BYTES",
    "CURRICULUM_MAX_BYTES",
    "DEFAULT_ACKNOWLEDGE_HOURS",
    "DEFAULT_CLOSE_HOURS",
    "CheckedResponse",
    "CurriculumRejected",
    "PreventionError",
    "RowProblem",
    "UploadReport",
    "concern_acknowledge",
    "concern_close",
    "concern_open_screening",
    "concern_record",
    "curriculum_upload",
    "district_save",
    "facilitator_save",
    "normalise_code",
    "pair_key",
    "parse_date",
    "plan_create",
    "protocol_save",
    "reach_update",
    "response_record",
    "responses_upload",
    "round_close",
    "round_for_code",
    "round_open",
    "school_save",
    "session_log",
    "summary_publish",
    "summary_withdraw",
    "tallies_add",
    "training_add",
]
