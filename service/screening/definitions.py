"""The client questionnaires as plain data: items, types, ranges and when each item is shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

ITEM_TYPES = ("boolean", "integer", "choice", "text")


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Condition:
    """The item is shown only when the answer to ``key`` equals ``equals``."""

    key: str
    equals: bool | int | str

    def holds(self, answers: Mapping[str, object]) -> bool:
        value = answers.get(self.key)
        # A strict type check, because in Python 1 == True and we must not
        # treat an integer answer as a yes.
        return type(value) is type(self.equals) and value == self.equals


@dataclass(frozen=True, slots=True)
class Item:
    """One question. For "text" items ``maximum`` is the length limit in characters."""

    key: str
    text: str
    type: str
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    enable_when: tuple[Condition, ...] = ()
    help: str = ""
    section: str = ""

    def __post_init__(self) -> None:
        if self.type not in ITEM_TYPES:
            raise ValueError(f"unknown item type {self.type!r} for {self.key}")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"choices must be given for choice items only ({self.key})")

    def is_enabled(self, answers: Mapping[str, object]) -> bool:
        """True when every condition holds for ``answers``."""
        return all(condition.holds(answers) for condition in self.enable_when)

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True, slots=True)
class Questionnaire:
    kind: str
    title: str
    version: str
    items: tuple[Item, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)


VERSION = "1.1.0"

# CL-SPINAL-PROCEDURE's window is a clinic setting (`spinal_procedure_weeks`), so its question names the
# clinic's own number of weeks: a client 20 weeks after surgery must not answer "no" to "12 weeks" at a
# clinic that holds bookings for 26.
DEFAULT_SPINAL_PROCEDURE_WEEKS = 12
SPINAL_PROCEDURE_TEXT = "Have you had surgery or an injection in your spine in the last {weeks} weeks?"

_SCIATICA = (Condition("has_sciatica", True),)
_PREGNANT = (Condition("pregnant", True),)


def _yes_no(
    key: str,
    text: str,
    *,
    section: str,
    help: str = "",
    enable_when: tuple[Condition, ...] = (),
) -> Item:
    return Item(key, text, "boolean", enable_when=enable_when, help=help, section=section)


def _pain(key: str, text: str, *, section: str) -> Item:
    return Item(
        key,
        text,
        "integer",
        minimum=0,
        maximum=10,
        help="0 means no pain, 10 means the worst pain you can imagine.",
        section=section,
    )


# The five warning signs are asked in every questionnaire with the same words,
# so a change before or after a session is a change in the client, not the text.
_WARNING_SIGNS = "Warning signs"
_WARNING_SIGN_ITEMS = (
    _yes_no(
        "saddle_numbness",
        "Is there new numbness between your legs, around your bottom or genitals?",
        section=_WARNING_SIGNS,
    ),
    _yes_no(
        "bladder_change",
        "Have you newly noticed trouble passing urine, or leaking, or not feeling when you need to go?",
        section=_WARNING_SIGNS,
    ),
    _yes_no(
        "bowel_change",
        "Have you newly lost control of your bowels, or not felt when you need to go?",
        section=_WARNING_SIGNS,
    ),
    _yes_no(
        "sexual_change",
        "Have you noticed any new change in sexual feeling or function?",
        section=_WARNING_SIGNS,
    ),
    _yes_no(
        "both_legs",
        "Have you newly got pain, numbness or weakness in both legs?",
        section=_WARNING_SIGNS,
    ),
    _yes_no(
        "leg_weakness_new",
        "Is a leg newly weak or getting weaker, or are you tripping or your foot slapping down?",
        section=_WARNING_SIGNS,
    ),
    _yes_no(
        "dvt_signs",
        "Is one calf or thigh swollen, warm, red or darker than usual, or throbbing?",
        section=_WARNING_SIGNS,
    ),
    _yes_no(
        "breathless_or_chest_pain",
        "Are you short of breath or do you have chest pain right now?",
        section=_WARNING_SIGNS,
    ),
)

_CONCERNS = Item(
    "concerns",
    "Is there anything else you would like your therapist to know?",
    "text",
    maximum=2000,
    help="Your therapist reads this before your session.",
    section="Anything else",
)

_BOOKING_ITEMS: tuple[Item, ...] = (
    _yes_no(
        "has_sciatica",
        "Do you have pain that travels from your back or buttock down a leg?",
        section="Your leg pain",
    ),
    _yes_no(
        "pain_below_knee",
        "Does the pain, numbness or tingling reach below your knee?",
        section="Your leg pain",
        enable_when=_SCIATICA,
    ),
    _yes_no(
        "numbness_or_tingling",
        "Do you have numbness or pins and needles in that leg?",
        section="Your leg pain",
        enable_when=_SCIATICA,
    ),
    _pain("leg_pain_now", "How much leg pain do you have right now, from 0 to 10?", section="Pain"),
    _pain("back_pain_now", "How much back pain do you have right now, from 0 to 10?", section="Pain"),
    _pain(
        "worst_pain_24h",
        "What was your worst pain in the last 24 hours, from 0 to 10?",
        section="Pain",
    ),
    _yes_no(
        "flare_last_72h",
        "Has your pain got clearly worse in the last 3 days?",
        section="Pain",
    ),
    Item(
        "episode_weeks",
        "How many weeks ago did this episode of pain begin?",
        "integer",
        minimum=0,
        maximum=520,
        help="Enter 0 if it began this week.",
        section="Pain",
    ),
    _yes_no(
        "clinician_assessed",
        "Have you seen a doctor or physiotherapist about this pain?",
        section="Pain",
    ),
    _yes_no(
        "heavy_lifting_24h",
        "Have you done heavy lifting in the last 24 hours?",
        section="The last 24 hours",
    ),
    _yes_no(
        "prolonged_sitting_24h",
        "Have you sat for a long time in the last 24 hours, such as a long drive or flight?",
        section="The last 24 hours",
    ),
    Item(
        "trauma_recent",
        "Have you had a fall, accident or strain from a heavy lift in the last 6 weeks?",
        "choice",
        choices=(
            Choice("none", "No"),
            Choice("minor", "Yes, a minor one"),
            Choice("major", "Yes, a serious one, such as a car accident or a fall from a height"),
        ),
        section="Recent injury",
    ),
    *_WARNING_SIGN_ITEMS,
    _yes_no(
        "fever_or_unwell",
        "Do you have a fever, chills or feel unwell, or have you had an infection recently?",
        section="Your health",
    ),
    _yes_no(
        "cancer_history",
        "Have you ever had cancer?",
        section="Your health",
    ),
    _yes_no(
        "weight_loss_unexplained",
        "Have you lost weight recently without trying?",
        section="Your health",
    ),
    _yes_no(
        "night_pain_unrelieved",
        "Do you have pain at night that does not ease when you rest or change position?",
        section="Your health",
    ),
    _yes_no(
        "osteoporosis_or_steroids",
        "Do you have osteoporosis (thin bones), or have you taken steroid tablets for more than 3 months?",
        section="Your health",
    ),
    _yes_no(
        "blood_thinners",
        "Do you take medicine that thins your blood, or do you have a bleeding disorder?",
        help="For example warfarin, apixaban, rivaroxaban, clopidogrel or daily aspirin.",
        section="Your health",
    ),
    # Not conditional on blood_thinners: bruising easily is worth knowing on its
    # own, and a client may not know their medicine thins the blood.
    _yes_no(
        "easy_bruising",
        "Do you bruise or bleed easily?",
        section="Your health",
    ),
    _yes_no(
        "spinal_procedure_recent",
        SPINAL_PROCEDURE_TEXT.format(weeks=DEFAULT_SPINAL_PROCEDURE_WEEKS),
        section="Your health",
    ),
    _yes_no("pregnant", "Are you pregnant?", section="Pregnancy"),
    Item(
        "pregnancy_weeks",
        "How many weeks pregnant are you?",
        "integer",
        minimum=1,
        maximum=42,
        enable_when=_PREGNANT,
        section="Pregnancy",
    ),
    _yes_no(
        "pregnancy_complications",
        "Has your midwife or doctor told you about any complications in this pregnancy?",
        help="For example high blood pressure, a blood clot, bleeding, or a high-risk pregnancy.",
        enable_when=_PREGNANT,
        section="Pregnancy",
    ),
    _CONCERNS,
)

_CHANGE = "Since your massage"
_PAST_WEEK = "The past week"

# PEG (Krebs et al. 2009, J Gen Intern Med; free to use): pain, and how it interferes with enjoyment
# of life and general activity, each 0-10 over the past week. The score is their mean.
PEG_KEYS = ("peg_pain", "peg_enjoyment", "peg_activity")
_PEG_ITEMS = (
    Item(
        "peg_pain",
        "In the past week, what number best describes your pain on average?",
        "integer",
        minimum=0,
        maximum=10,
        help="0 means no pain, 10 means pain as bad as you can imagine.",
        section=_PAST_WEEK,
    ),
    Item(
        "peg_enjoyment",
        "In the past week, how much has pain got in the way of your enjoyment of life?",
        "integer",
        minimum=0,
        maximum=10,
        help="0 means not at all, 10 means completely.",
        section=_PAST_WEEK,
    ),
    Item(
        "peg_activity",
        "In the past week, how much has pain got in the way of your general activity?",
        "integer",
        minimum=0,
        maximum=10,
        help="0 means not at all, 10 means completely.",
        section=_PAST_WEEK,
    ),
)

_POST_SESSION_ITEMS: tuple[Item, ...] = (
    Item(
        "overall_change",
        "Compared with before your massage, how is your pain overall?",
        "choice",
        choices=(
            Choice("much_better", "Much better"),
            Choice("better", "Better"),
            Choice("slightly_better", "A little better"),
            Choice("same", "About the same"),
            Choice("slightly_worse", "A little worse"),
            Choice("worse", "Worse"),
            Choice("much_worse", "Much worse"),
        ),
        section=_CHANGE,
    ),
    Item(
        "soreness",
        "Do you feel any soreness since your massage?",
        "choice",
        choices=(
            Choice("none", "No soreness"),
            Choice("massaged_area", "Only where I was massaged"),
            Choice("down_the_leg", "Pain or soreness going down my leg"),
        ),
        section=_CHANGE,
    ),
    _yes_no(
        "numbness_new_or_spreading",
        "Is there new numbness or tingling, or is it spreading further down your leg?",
        section=_CHANGE,
    ),
    _yes_no(
        "unusual_bruising",
        "Have you noticed bruising where you were massaged?",
        section=_CHANGE,
    ),
    _yes_no(
        "usual_activities_ok",
        "Can you do your usual daily activities?",
        section=_CHANGE,
    ),
    _pain("leg_pain_now", "How much leg pain do you have right now, from 0 to 10?", section="Pain"),
    _pain("back_pain_now", "How much back pain do you have right now, from 0 to 10?", section="Pain"),
    *_PEG_ITEMS,
    *_WARNING_SIGN_ITEMS,
    _CONCERNS,
)

# Weeks after the last session (outcome_followup_days): how the client is now, and nothing about the
# session itself.
_OUTCOME_CHECK_ITEMS: tuple[Item, ...] = (
    Item(
        "overall_change",
        "Compared with before your massages with us, how is your pain overall?",
        "choice",
        choices=_POST_SESSION_ITEMS[0].choices,
        section="How you are now",
    ),
    _pain("leg_pain_now", "How much leg pain do you have right now, from 0 to 10?", section="Pain"),
    _pain("back_pain_now", "How much back pain do you have right now, from 0 to 10?", section="Pain"),
    *_PEG_ITEMS,
    *_WARNING_SIGN_ITEMS,
    _CONCERNS,
)

# What cannot have changed since booking (history, long-standing conditions, pregnancy): before the
# session these are shown with the booking's answers, to confirm or change, and not asked again. The
# time-sensitive questions (pain now, the last 24 hours, recent injury, feeling unwell) and every
# warning sign are always asked again.
CONFIRM_NOT_ASK_KEYS: frozenset[str] = frozenset(
    {
        "has_sciatica",
        "pain_below_knee",
        "numbness_or_tingling",
        "episode_weeks",
        "clinician_assessed",
        "cancer_history",
        "osteoporosis_or_steroids",
        "blood_thinners",
        "easy_bruising",
        "spinal_procedure_recent",
        "pregnant",
        "pregnancy_weeks",
        "pregnancy_complications",
    }
)

QUESTIONNAIRES: dict[str, Questionnaire] = {
    "booking": Questionnaire("booking", "Before you book", VERSION, _BOOKING_ITEMS),
    "pre_session": Questionnaire("pre_session", "Before your session", VERSION, _BOOKING_ITEMS),
    "post_session": Questionnaire("post_session", "After your session", VERSION, _POST_SESSION_ITEMS),
    "outcome_check": Questionnaire("outcome_check", "How you are now", VERSION, _OUTCOME_CHECK_ITEMS),
}


def get_questionnaire(kind: str, *, spinal_procedure_weeks: int = DEFAULT_SPINAL_PROCEDURE_WEEKS) -> Questionnaire:
    """The questionnaire of ``kind`` as a clinic with that spinal-procedure window asks it.

    Raises KeyError for an unknown kind.
    """
    try:
        questionnaire = QUESTIONNAIRES[kind]
    except KeyError:
        raise KeyError(f"unknown questionnaire kind {kind!r}") from None
    if spinal_procedure_weeks == DEFAULT_SPINAL_PROCEDURE_WEEKS or "spinal_procedure_recent" not in questionnaire.keys:
        return questionnaire
    return _with_spinal_weeks(kind, spinal_procedure_weeks)


@lru_cache(maxsize=64)
def _with_spinal_weeks(kind: str, weeks: int) -> Questionnaire:
    items = tuple(
        replace(item, text=SPINAL_PROCEDURE_TEXT.format(weeks=weeks)) if item.key == "spinal_procedure_recent" else item
        for item in QUESTIONNAIRES[kind].items
    )
    return replace(QUESTIONNAIRES[kind], items=items)


# Every key any questionnaire asks, in first-asked order.
ANSWER_KEYS: tuple[str, ...] = tuple(dict.fromkeys(item.key for q in QUESTIONNAIRES.values() for item in q.items))
