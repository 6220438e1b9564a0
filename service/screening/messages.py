"""Client and therapist wording for every rule, rendered once per emergency region."""

from __future__ import annotations

__all__ = [
    "CLIENT_TEMPLATES",
    "MESSAGES",
    "REGIONS",
    "REGION_PIECES",
    "SCREENING_NOTE",
    "emergency_wording",
    "message",
]

REGIONS = ("uk", "us", "generic")

SCREENING_NOTE = "This is a screening, not a diagnosis."

# Seek care now: for signs that cannot wait for an appointment.
_EMERGENCY = {
    "uk": "Please go to A&E or call 999 now.",
    "us": "Please go to the emergency room or call 911 now.",
    "generic": "Please contact emergency services now.",
}

# See a doctor today: urgent, but an appointment the same day is the right route.
_TODAY = {
    "uk": (
        "Please see a doctor today: call your GP surgery, or 111 if you cannot get an"
        " appointment. If it gets worse quickly, go to A&E or call 999."
    ),
    "us": (
        "Please see a doctor today. If you cannot, or if it gets worse quickly, go to the emergency room or call 911."
    ),
    "generic": ("Please see a doctor today. If it gets worse quickly, contact emergency services."),
}

_HOLD = "We will hold your booking until they confirm it."

# A doctor in the ordinary way: not urgent, but not to be left.
_DOCTOR = {
    "uk": "your GP (or 111 if you cannot reach them)",
    "us": "your doctor",
    "generic": "a doctor",
}

# Message key -> (client, therapist). Keys are rule ids, with ":variant" where a
# rule has more than one wording. {emergency}, {today} and {doctor} are filled per region.
_TEMPLATES: dict[str, tuple[str, str]] = {
    "RF-CES": (
        "Some of your answers are warning signs that need a doctor to check you straight"
        " away. {emergency} Your massage cannot go ahead for now. " + SCREENING_NOTE,
        "Client reported new numbness between the legs, a bladder, bowel or sexual change,"
        " or symptoms in both legs. These need emergency medical assessment: do not treat."
        " The client was told to seek emergency care.",
    ),
    "RF-WEAKNESS": (
        "You told us a leg is newly weak or getting weaker. A doctor should check this"
        " today. {today} Your massage cannot go ahead until then. " + SCREENING_NOTE,
        "Client reported new or worsening leg weakness, tripping or foot slapping. Needs a"
        " medical review today: do not treat. The client was told to see a doctor today.",
    ),
    "RF-DVT": (
        "You told us one calf or thigh is swollen, warm, red or darker, or throbbing. A"
        " doctor should check this today, before any massage. {today} " + SCREENING_NOTE,
        "Client reported one calf or thigh swollen, warm, red or dark, or throbbing. Needs a"
        " medical review today: do not treat, and do not massage the legs until cleared.",
    ),
    "RF-DVT:emergency": (
        "You told us you are short of breath or have chest pain. {emergency} Your massage"
        " cannot go ahead. " + SCREENING_NOTE,
        "Client reported breathlessness or chest pain now. Needs emergency assessment: do"
        " not treat. The client was told to seek emergency care.",
    ),
    "RF-INFECTION": (
        "You told us you have a fever or feel unwell, or have been ill recently. Massage"
        " is best left until you are well again, so please choose a later date. If the fever"
        " and back pain go on, please see {doctor}.",
        "Client reported fever, chills, feeling unwell or a recent illness: rebook once well"
        " (advised date given). The client was told to see a doctor if fever and back pain go on.",
    ),
    "RF-INFECTION:later": (
        "You told us you have a fever or feel unwell, or have been ill recently. Please come to"
        " your session only if you are well again by then, and let us know if not. If the fever"
        " and back pain go on, please see {doctor}.",
        "Client reported fever, chills, feeling unwell or a recent illness; the session is after"
        " the advised wait. Check they are well before starting. The client was told to see a"
        " doctor if fever and back pain go on.",
    ),
    "RF-INFECTION:clearance": (
        "You told us you feel unwell or have a fever, and your pain has been severe. Please"
        " see a doctor before your massage, and ask whether massage is right for you now. "
        + _HOLD
        + " "
        + SCREENING_NOTE,
        "Client reported fever or feeling unwell together with severe pain (7 or more out of"
        " 10) in the last 24 hours. Needs clinician clearance before treatment.",
    ),
    "RF-CANCER": (
        "Because of your past health and some of your other answers, please ask your"
        " doctor whether massage is right for you now. " + _HOLD + " " + SCREENING_NOTE,
        "Client reported past cancer together with unexplained weight loss, night pain that"
        " rest does not ease, or age 50 or over. Needs clinician clearance before treatment.",
    ),
    "RF-SYSTEMIC": (
        "Because of some of your answers, please ask your doctor whether massage is right for"
        " you now. " + _HOLD + " " + SCREENING_NOTE,
        "Client reported unexplained weight loss together with night pain that rest does not"
        " ease (no cancer history on file). Needs clinician clearance before treatment.",
    ),
    "RF-FRACTURE": (
        "Because of your recent fall, accident or strain, please have a doctor or"
        " physiotherapist check you before your massage. " + _HOLD + " " + SCREENING_NOTE,
        "Client reported a recent serious injury, or a minor one at age 50 or over or with"
        " osteoporosis or long-term steroids. Needs clinician clearance before treatment.",
    ),
    "CL-SPINAL-PROCEDURE": (
        "You told us you have had spine surgery or an injection recently. Please ask the"
        " clinician who treated you whether massage is fine now. " + _HOLD + " " + SCREENING_NOTE,
        "Recent spine surgery or injection. Needs clearance from the treating clinician;"
        " once cleared, avoid the procedure site, incision and any hardware.",
    ),
    "CL-PREGNANCY": (
        "You told us about complications in your pregnancy. Please ask your midwife or"
        " doctor whether massage is right for you. " + _HOLD + " " + SCREENING_NOTE,
        "Pregnancy with complications reported; clot risk is raised in pregnancy. Needs"
        " clearance from the midwife or doctor before treatment.",
    ),
    "CL-BLEEDING": (
        "You told us your blood is thinned by medicine or a bleeding disorder, and that you"
        " bruise easily. Please ask your doctor whether massage is fine for you. " + _HOLD + " " + SCREENING_NOTE,
        "Blood thinners or a bleeding disorder, with easy bruising. Needs clinician"
        " clearance; once cleared, light pressure only.",
    ),
    "TIME-FLARE": (
        "Your pain has flared up recently. Massage tends to help more once a flare-up has"
        " settled, so we suggest a date a few days later.",
        "Recent flare-up, or severe pain in the last 24 hours: rebook after the advised date.",
    ),
    "TIME-FLARE:gentle": (
        "Your pain has flared up recently, so your therapist will keep the session gentle.",
        "Recent flare-up, or severe pain in the last 24 hours: gentle work only.",
    ),
    "TIME-FLARE:later": (
        "Your pain has flared up recently. Your therapist will ask how you are before starting.",
        "Flare-up reported when booking; it has had a few days to settle by the session."
        " Check symptoms before starting.",
    ),
    "TIME-ACTIVITY": (
        "You have done heavy lifting or sat for a long time in the last day. Your therapist"
        " will check how you feel first and keep the session gentle.",
        "Heavy lifting or prolonged sitting in the last 24 hours, shortly before the session:"
        " gentle work, check symptoms before starting.",
    ),
    "MOD-RADICULAR": (
        "Because your symptoms travel down your leg, your therapist will avoid firm pressure"
        " on the buttock and back of the thigh, may suggest lying on your side, and will"
        " stop if your leg symptoms spread. Please say if they do.",
        "Leg symptoms below the knee, or numbness or tingling: no sustained direct pressure"
        " on the buttock or back of the thigh, offer side-lying, stop if leg symptoms spread.",
    ),
    "MOD-PRESSURE": (
        "With pain that travels down your leg, firm or deep pressure can make it worse, so"
        " your therapist will use no more than medium pressure.",
        "Client has pain travelling down a leg and booked firm or deep pressure: cap pressure at medium.",
    ),
    "MOD-BONE": (
        "Because of your answer about bone health or steroid tablets, your therapist will"
        " use light pressure and will not stretch or move your spine or ribs.",
        "Osteoporosis or long-term steroid tablets: light pressure only, no spinal or rib mobilisation.",
    ),
    "MOD-BLEEDING": (
        "Because your blood is thinned by medicine or a bleeding disorder, your therapist"
        " will use light pressure and no deep tissue work.",
        "Blood thinners or a bleeding disorder: light pressure, no deep tissue work.",
    ),
    "MOD-PREGNANCY": (
        "As you are pregnant, your therapist will offer lying on your side with support and"
        " will avoid deep pressure on your legs and inner thighs.",
        "Pregnant: side-lying with support; no deep pressure on the legs or inner thigh.",
    ),
    "THER-QUALIFIED": (
        "We suggest a therapist experienced with pain like yours; the clinic will offer one"
        " who is free at that time where it can.",
        "Client has pain travelling down a leg and the chosen therapist has no sciatica"
        " qualification: offer a qualified therapist if one is free.",
    ),
    "HIST-AGGRAVATION": (
        "Your pain got worse after your last session and the clinic is still looking into"
        " it. Please wait a few days before your next massage.",
        "Open aggravation flag from a session in the last week: review it before rebooking.",
    ),
    "HIST-AGGRAVATION:reduce": (
        "Your pain got worse after a recent session, so your therapist will work less deeply this time.",
        "Aggravation reported after a recent session: work less deeply than last time.",
    ),
    "HIST-BRUISING": (
        "You had unusual bruising after a recent massage. Please ask your doctor whether"
        " massage is fine for you before your next session. " + _HOLD + " " + SCREENING_NOTE,
        "Unusual bruising after a recent session, with blood thinners or a bleeding disorder"
        " on file. Needs clinician clearance before treatment.",
    ),
    "ADV-REVIEW": (
        "Your pain has lasted more than 6 weeks and you have not seen a doctor or"
        " physiotherapist about it. Your massage can go ahead, and we suggest asking one of"
        " them to review it.",
        "Episode over 6 weeks with no clinician assessment: the client was advised to seek a review.",
    ),
    "ADV-REVIEW:signs": (
        "Your massage can go ahead. Because of one of your answers, we suggest asking {doctor} to review your pain.",
        "Client aged 50 or over reported unexplained weight loss or night pain that rest does not"
        " ease (one of them, no cancer history on file): the client was advised to seek a review.",
    ),
    "PRE-PAIN-RISE": (
        "Your pain is higher than when you booked. Your therapist will ask how you are and adjust the session.",
        "Leg or back pain has risen since booking by a clinically important amount: check"
        " symptoms first and consider working less deeply.",
    ),
    "PRE-NEW-RED-FLAG": (
        "Some of your answers are new warning signs that need a doctor to check you straight"
        " away. {emergency} Your massage cannot go ahead for now. " + SCREENING_NOTE,
        "A new warning sign was reported before the session: do not treat. The client was"
        " told to seek urgent medical care.",
    ),
    "PRE-NEW-RED-FLAG:today": (
        "Some of your answers are new signs that a doctor should check today. {today} Your"
        " massage cannot go ahead until then. " + SCREENING_NOTE,
        "New leg weakness, or one calf or thigh swollen, warm or red, reported before the"
        " session: do not treat. The client was told to see a doctor today.",
    ),
    "PRE-NEW-ACTIVITY": (
        "You have done heavy lifting or sat for a long time since you booked. Your therapist"
        " will check how you feel first and keep the session gentle.",
        "New heavy lifting or prolonged sitting shortly before the session: gentle work,"
        " check symptoms before starting.",
    ),
    "F-RED-FLAG": (
        "Some of your answers are warning signs that need a doctor to check you straight"
        " away. {emergency} " + SCREENING_NOTE,
        "A warning sign was reported after the session. The client was told to seek urgent"
        " medical care; please review the flag.",
    ),
    "F-RED-FLAG:today": (
        "Some of your answers are signs that a doctor should check today. {today} " + SCREENING_NOTE,
        "New leg weakness, or one calf or thigh swollen, warm or red, reported after the"
        " session. The client was told to see a doctor today; please review the flag.",
    ),
    "F-AGGRAVATION": (
        "Thank you for telling us. Your therapist will review this and adjust your next"
        " session. If your leg symptoms keep getting worse, please see a doctor or"
        " physiotherapist.",
        "Leg symptoms worse after the session (worse overall, soreness down the leg, new or"
        " spreading numbness, or leg pain up since before the session). Review the flag and"
        " work less deeply next time.",
    ),
    "F-SORENESS": (
        "Some soreness where you were massaged is normal. It usually begins within 12 hours"
        " and fades within 36 to 48 hours. If pain travels down your leg or gets worse,"
        " please let us know.",
        "Expected soreness in the massaged area only; usual activities fine.",
    ),
    "F-BRUISING": (
        "Thank you for telling us about the bruising. As your blood is thinned, please ask"
        " your doctor whether massage is fine for you before your next session. " + SCREENING_NOTE,
        "Unusual bruising after the session, with blood thinners or a bleeding disorder on"
        " file: clinician clearance needed before the next booking.",
    ),
}


def _render(template: str, region: str) -> str:
    return (
        template.replace("{emergency}", _EMERGENCY[region])
        .replace("{today}", _TODAY[region])
        .replace("{doctor}", _DOCTOR[region])
    )


# region -> message key -> (client, therapist), rendered once so that screening
# does no string work.
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    region: {
        key: (_render(client, region), _render(therapist, region)) for key, (client, therapist) in _TEMPLATES.items()
    }
    for region in REGIONS
}


# For showing a client message in the client's own language: the stored English text → its template
# key and region, the templates, and the region's pieces ({emergency}, {today}, {doctor}).
CLIENT_TEMPLATES: dict[str, str] = {key: client for key, (client, _) in _TEMPLATES.items()}
REGION_PIECES: dict[str, dict[str, str]] = {
    region: {"emergency": _EMERGENCY[region], "today": _TODAY[region], "doctor": _DOCTOR[region]} for region in REGIONS
}
CLIENT_MESSAGE_KEYS: dict[str, tuple[str, str]] = {
    client: (key, region) for region in REGIONS for key, (client, _) in MESSAGES[region].items()
}


def render(template: str, pieces: dict[str, str]) -> str:
    """A template with its region's pieces (in any language) put in."""
    return (
        template.replace("{emergency}", pieces["emergency"])
        .replace("{today}", pieces["today"])
        .replace("{doctor}", pieces["doctor"])
    )


def message(key: str, *, region: str) -> tuple[str, str]:
    """(client message, therapist message) for a rule id or ``rule:variant`` key."""
    return MESSAGES[region][key]


def emergency_wording(region: str) -> str:
    """The region's "seek care now" sentence, for pages that show a red flag."""
    return _EMERGENCY[region]
