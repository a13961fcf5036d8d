"""Canonical record schema of the insights store and the CTDC column layouts.

Every import, whatever its format, becomes rows of :data:`CANONICAL_SCHEMA`. Flags are ``int8`` with
0/1 and null for missing (-99 / "Unknown" in CTDC files). Countries are ISO 3166 alpha-2. Identifiers never
enter the schema: only their keyed encodings (``enc_*`` HMAC hex digests, ``bf_*`` Bloom filters as hex).
"""

from __future__ import annotations

import pyarrow as pa

MEANS_OF_CONTROL = [
    "DebtBondage",
    "TakesEarnings",
    "RestrictsFinancialAccess",
    "Threats",
    "PsychologicalAbuse",
    "PhysicalAbuse",
    "SexualAbuse",
    "FalsePromises",
    "PsychoactiveSubstances",
    "RestrictsMovement",
    "RestrictsMedicalCare",
    "ExcessiveWorkingHours",
    "UsesChildren",
    "ThreatOfLawEnforcement",
    "WithholdsNecessities",
    "WithholdsDocuments",
    "Other",
    "NotSpecified",
]
EXPLOIT_FLAGS = [
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
]
TYPE_OF_LABOUR = [
    "Agriculture",
    "Aquafarming",
    "Begging",
    "Construction",
    "DomesticWork",
    "Hospitality",
    "IllicitActivities",
    "Manufacturing",
    "MiningOrDrilling",
    "Peddling",
    "Transportation",
    "Other",
    "NotSpecified",
]
TYPE_OF_SEX = ["Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"]
RECRUITER_RELATION = ["IntimatePartner", "Friend", "Family", "Other", "Unknown"]

AGE_BROAD = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
CHILD_AGE_BROAD = {"0--8", "9--17"}
GENDERS = ["Female", "Male", "Transgender/NonConforming"]
MAJORITY = ["Adult", "Minor"]
DATASOURCES = ["Case Management", "Hotline"]
TRAFFICK_MONTHS = ["0--12", "13--24", "25+"]
# HTCDS gaps filled by Threadline (see docs/insights-engine.md).
SCREENING_METHODS = ["Self-referral", "Outreach", "Hotline", "Law enforcement", "Service provider", "Other"]

MOC_COLS = [f"meansOfControl{m}" for m in MEANS_OF_CONTROL]
LABOUR_COLS = [f"typeOfLabour{t}" for t in TYPE_OF_LABOUR]
SEX_COLS = [f"typeOfSex{t}" for t in TYPE_OF_SEX]
RECRUITER_COLS = [f"recruiterRelation{r}" for r in RECRUITER_RELATION]

#: Columns of the 63-column k-anonymised CTDC global dataset, in file order.
CTDC_COLUMNS: list[str] = [
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "citizenship",
    *MOC_COLS,
    "meansOfControlConcatenated",
    *EXPLOIT_FLAGS,
    "typeOfExploitConcatenated",
    *LABOUR_COLS,
    "typeOfLabourConcatenated",
    *SEX_COLS,
    "typeOfSexConcatenated",
    "isAbduction",
    "RecruiterRelationship",
    *RECRUITER_COLS,
    "CountryOfExploitation",
]
assert len(CTDC_COLUMNS) == 63

#: The 27-column CTDC synthetic dataset (2024 codebook): column -> canonical column(s) it is derived from.
CTDC_SYNTHETIC_COLUMNS: list[str] = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
    "traffickMonths",
    "meansDebtBondageEarnings",
    "meansThreats",
    "meansAbusePsyPhySex",
    "meansFalsePromises",
    "meansDrugsAlcohol",
    "meansDenyBasicNeeds",
    "meansExcessiveWorkHours",
    "meansWithholdDocs",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "typeOfLabourAgriculture",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfSexProstitution",
    "typeOfSexPornography",
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
]
assert len(CTDC_SYNTHETIC_COLUMNS) == 27

#: Synthetic-format grouped means columns -> the canonical means-of-control flags they pool (any of).
SYNTHETIC_MEANS_GROUPS: dict[str, list[str]] = {
    "meansDebtBondageEarnings": ["meansOfControlDebtBondage", "meansOfControlTakesEarnings"],
    "meansThreats": ["meansOfControlThreats"],
    "meansAbusePsyPhySex": [
        "meansOfControlPsychologicalAbuse",
        "meansOfControlPhysicalAbuse",
        "meansOfControlSexualAbuse",
    ],
    "meansFalsePromises": ["meansOfControlFalsePromises"],
    "meansDrugsAlcohol": ["meansOfControlPsychoactiveSubstances"],
    "meansDenyBasicNeeds": ["meansOfControlWithholdsNecessities", "meansOfControlRestrictsMedicalCare"],
    "meansExcessiveWorkHours": ["meansOfControlExcessiveWorkingHours"],
    "meansWithholdDocs": ["meansOfControlWithholdsDocuments"],
}

#: Linkage encodings (never raw identifiers). HMAC digests are 32 hex chars; Bloom filters 64 hex chars.
ENCODING_COLUMNS: list[str] = [
    "enc_key_id",
    "enc_given",
    "enc_family",
    "enc_given_ph",
    "enc_family_ph",
    "enc_dob",
    "enc_dob_canon",
    "enc_dob_md",
    "enc_dob_ym",
    "enc_yob",
    "bf_given",
    "bf_family",
]

#: Grouped means-of-control flags of the synthetic format, kept as reported (cannot be disaggregated).
SYNTHETIC_MEANS_COLS = list(SYNTHETIC_MEANS_GROUPS)

FLAG_COLUMNS: list[str] = [
    *MOC_COLS,
    *SYNTHETIC_MEANS_COLS,
    *EXPLOIT_FLAGS,
    "isForcedCriminality",
    *LABOUR_COLS,
    *SEX_COLS,
    "isAbduction",
    *RECRUITER_COLS,
]

#: Categorical columns -> allowed canonical values.
ENUM_COLUMNS: dict[str, list[str]] = {
    "Datasource": DATASOURCES,
    "gender": GENDERS,
    "ageBroad": AGE_BROAD,
    "majorityStatus": MAJORITY,
    "majorityStatusAtExploit": MAJORITY,
    "majorityEntry": MAJORITY,
    "traffickMonths": TRAFFICK_MONTHS,
    "RecruiterRelationship": ["Intimate Partner", "Friend", "Family", "Other"],
    "screeningMethod": SCREENING_METHODS,
}
COUNTRY_COLUMNS = ["citizenship", "CountryOfExploitation"]

_META_FIELDS = [
    pa.field("record_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("batch_id", pa.string(), nullable=False),
    pa.field("source_format", pa.string(), nullable=False),
    pa.field("source_row", pa.int64(), nullable=False),
]

CANONICAL_SCHEMA: pa.Schema = pa.schema(
    [
        *_META_FIELDS,
        pa.field("yearOfRegistration", pa.int16()),
        pa.field("Datasource", pa.string()),
        pa.field("gender", pa.string()),
        pa.field("ageBroad", pa.string()),
        pa.field("majorityStatus", pa.string()),
        pa.field("majorityStatusAtExploit", pa.string()),
        pa.field("majorityEntry", pa.string()),
        pa.field("citizenship", pa.string()),
        pa.field("CountryOfExploitation", pa.string()),
        pa.field("traffickMonths", pa.string()),
        pa.field("RecruiterRelationship", pa.string()),
        pa.field("screeningMethod", pa.string()),
        *[pa.field(c, pa.int8()) for c in FLAG_COLUMNS],
        *[pa.field(c, pa.string()) for c in ENCODING_COLUMNS],
    ]
)

#: Columns a partner may supply (everything but the bookkeeping fields).
DATA_COLUMNS: list[str] = [f.name for f in CANONICAL_SCHEMA if f.name not in {f.name for f in _META_FIELDS}]

#: Raw identifier columns accepted by the HTCDS importer; encoded on arrival and never stored.
IDENTIFIER_COLUMNS = ["given_name", "family_name", "date_of_birth"]
