"""The demo catalog and people that `manage.py load_demo` writes (portal.demo loads them).

Everything is declarative: dates are given relative to the day the command runs (TODAY) or to the
academic year an edition belongs to (YEAR_START, SECOND_SEMESTER), so the demo stays fresh. Fees,
VAT and policies are plain Edition field values; what they mean is the model's business.

The organizers' addresses and e-mail domains are invented (`.test`, RFC 2606) so that a demo run on
a real mail server never writes to a real mailbox; the enterprise numbers and IBANs carry valid
check digits (python-stdnum) because checkout and invoices validate them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from courses.models import Course, CourseUnit, Edition, Language
from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, FINANCE

PASSWORD = "demo-portal-2026"  # noqa: S105 - the published password of the demo accounts
URL = "http://127.0.0.1:8000"

# Which academic year an edition belongs to, and what its start date is counted from.
CURRENT, NEXT = "current", "next"
TODAY, YEAR_START, SECOND_SEMESTER = "today", "year start", "second semester"

SHORT = Course.Kind.SHORT
POSTGRADUATE = Course.Kind.POSTGRADUATE
MICRO = Course.Kind.MICROCREDENTIAL
FIRST, SECOND, YEAR = (
    CourseUnit.Semester.FIRST,
    CourseUnit.Semester.SECOND,
    CourseUnit.Semester.YEAR,
)
A, B, C, D = (
    Edition.Policy.ACADEMIC_YEAR,
    Edition.Policy.DAYS_BEFORE_START,
    Edition.Policy.TIERED,
    Edition.Policy.FREE,
)
EN, NL = Language.ENGLISH, Language.DUTCH

# Policy C as the academy states it: at least 14 days before the start nothing is kept, at least
# 7 days before half of it, later everything: (days before the start, percentage kept).
POLICY_C_TIERS = ((14, Decimal("0.00")), (7, Decimal("50.00")), (0, Decimal("100.00")))


def fixed(amount: str) -> dict:
    return {
        "fee_kind": Edition.FeeKind.FIXED,
        "fee_amount": Decimal(amount),
        "programme_amount": Decimal("0.00"),
        "credit_amount": Decimal("0.00"),
    }


def per_credit(programme: str, credit: str) -> dict:
    return {
        "fee_kind": Edition.FeeKind.PER_CREDIT,
        "fee_amount": Decimal("0.00"),
        "programme_amount": Decimal(programme),
        "credit_amount": Decimal(credit),
    }


EXEMPT = {"vat_treatment": Edition.VatTreatment.EXEMPT}
TAXED = {"vat_treatment": Edition.VatTreatment.TAXED, "vat_rate_percent": Decimal("21.00")}
FREE = {**fixed("0.00"), **EXEMPT, "cancellation_policy": D}
INSTALMENTS = {"instalments_allowed": True, "max_instalments": 3}


@dataclass(frozen=True)
class Timetable:
    """`count` sessions from `starts` to `ends`, `every_days` (a multiple of 7) apart."""

    count: int
    every_days: int
    starts: time
    ends: time

    def __post_init__(self):
        if self.every_days % 7:
            raise ValueError("every_days must be a multiple of 7 to keep sessions on a weekday")


@dataclass(frozen=True)
class Run:
    """One edition: `offset_days` after the anchor; `changes` override the course's defaults."""

    year: str
    anchor: str
    offset_days: int
    changes: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Unit:
    code: str
    title_nl: str
    title_en: str
    credits: int  # ECTS
    semester: str
    digital_exam: bool = False
    attendance_required: bool = False
    examinable_once_a_year: bool = False


@dataclass(frozen=True)
class CourseSpec:
    organizer: str
    kind: str
    code: str
    language: str
    title_nl: str
    title_en: str
    description_nl: str
    description_en: str
    location: str
    timetable: Timetable
    edition: Mapping[str, object]  # Edition field values every run shares
    runs: tuple[Run, ...]
    units: tuple[Unit, ...] = ()
    uses_weighted_percentage: bool = False


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    first_name: str
    last_name: str
    group: str | None = None
    is_staff: bool = False
    is_superuser: bool = False
    preferred_language: str = NL
    profile: Mapping[str, object] = field(default_factory=dict)


ORGANIZERS = (
    {
        "slug": "lla",
        "name": "Lifelong Learning Academy Ghent",
        "street": "Sint-Pietersnieuwstraat 33",
        "postal_code": "9000",
        "city": "Gent",
        "country": "BE",
        "enterprise_number": "BE0248015142",
        "iban": "BE93068247150367",
        "bic": "GKCCBEBB",
        "contact_email": "info@lla-ghent.test",
        "finance_email": "invoices@lla-ghent.test",
        "kmo_recognition_short": "DV.O103587",
        "kmo_recognition_postgraduate": "DV.O103588",
        "invoice_due_days": 30,
        "website": "https://lla-ghent.test",
    },
    {
        "slug": "uhl",
        "name": "Universiteit Hasselt — Levenslang Leren",
        "street": "Agoralaan, gebouw D",
        "postal_code": "3590",
        "city": "Diepenbeek",
        "country": "BE",
        "enterprise_number": "BE0257147196",
        "iban": "BE73735012345660",
        "bic": "KREDBEBB",
        "contact_email": "levenslangleren@uhl-hasselt.test",
        "finance_email": "facturatie@uhl-hasselt.test",
        "kmo_recognition_short": "DV.O104310",
        "kmo_recognition_postgraduate": "DV.O104311",
        "invoice_due_days": 30,
        "website": "https://uhl-hasselt.test",
    },
)

# Who signs each organizer's certificates: name, function in Dutch and in English.
SIGNATORIES = {
    "lla": ("Prof. dr. Marie Claes", "Academisch directeur", "Academic director"),
    "uhl": ("Prof. dr. Tom Vermeulen", "Voorzitter Levenslang Leren", "Chair, Lifelong Learning"),
}

# Signing up with these earns the "your profile is for life" warning (seed 1); subdomains such as
# student.ugent.be match ugent.be.
WORK_EMAIL_DOMAINS = (
    ("ugent.be", "Ghent University (also student.ugent.be)"),
    ("uhasselt.be", "Hasselt University"),
    ("kuleuven.be", "KU Leuven"),
    ("lla-ghent.test", "Lifelong Learning Academy Ghent (demo organizer)"),
    ("uhl-hasselt.test", "Universiteit Hasselt — Levenslang Leren (demo organizer)"),
)

USERS = (
    DemoUser(
        "course administrator",
        "courses@demo.lifelong.test",
        "Charlotte",
        "Claes",
        group=COURSE_ADMINISTRATOR,
        is_staff=True,
    ),
    DemoUser(
        "finance", "finance@demo.lifelong.test", "Frank", "Maes", group=FINANCE, is_staff=True
    ),
    DemoUser(
        "exam committee",
        "exams@demo.lifelong.test",
        "Els",
        "Jacobs",
        group=EXAM_COMMITTEE,
        is_staff=True,
        preferred_language=EN,
    ),
    DemoUser(
        "superuser",
        "admin@demo.lifelong.test",
        "Ada",
        "Admin",
        is_staff=True,
        is_superuser=True,
        preferred_language=EN,
    ),
    DemoUser(
        "participant",
        "an@demo.lifelong.test",
        "An",
        "Peeters",
        preferred_language=NL,
        profile={
            "date_of_birth": date(1988, 4, 12),
            "street": "Kortrijksesteenweg 112",
            "postal_code": "9000",
            "city": "Gent",
            "country": "BE",
            "phone": "+32 470 12 34 56",
        },
    ),
    DemoUser(
        "participant",
        "ben@demo.lifelong.test",
        "Ben",
        "Wouters",
        preferred_language=EN,
        profile={
            "date_of_birth": date(1979, 10, 3),
            "street": "Kempische Steenweg 45",
            "postal_code": "3500",
            "city": "Hasselt",
            "country": "BE",
            "phone": "+32 486 65 43 21",
        },
    ),
)

EVENINGS = time(18, 0), time(21, 0)
AFTERNOONS = time(13, 30), time(17, 0)
FULL_DAYS = time(9, 0), time(16, 30)

HET_PAND = "Het Pand, Onderbergen 1, 9000 Gent"
COUPURE = "Campus Coupure, Coupure Links 653, 9000 Gent"
STERRE = "Campus Sterre, Krijgslaan 281, 9000 Gent"
ONLINE = "Online (Microsoft Teams)"
DIEPENBEEK = "Campus Diepenbeek, Agoralaan gebouw D, 3590 Diepenbeek"
HASSELT = "Campus Hasselt, Martelarenlaan 42, 3500 Hasselt"
CORDA = "Corda Campus, Kempische Steenweg 293, 3500 Hasselt"

LLA_SHORT = {**EXEMPT, "cancellation_policy": C}
LLA_PROGRAMME = {**per_credit("250.00", "45.00"), **EXEMPT, "cancellation_policy": A}
UHL = {**EXEMPT, "cancellation_policy": B}

# The course tables stay compact, one course to a block, rather than one argument a line.
# fmt: off
LLA_COURSES = (
    CourseSpec(
        "lla", SHORT, "SC-PYDATA", EN,
        "Python voor data-analyse", "Python for Data Analysis",
        "Vier praktijkdagen: van spreadsheet naar reproduceerbare analyses met pandas.",
        "Four hands-on days: from spreadsheets to reproducible analyses with pandas.",
        STERRE, Timetable(4, 7, *FULL_DAYS),
        {**LLA_SHORT, **fixed("695.00"), "seats": 24, "kmo_eligible": True},
        (Run(CURRENT, TODAY, 21), Run(NEXT, YEAR_START, 28)),
    ),
    CourseSpec(
        "lla", SHORT, "SC-QGIS", EN,
        "Inleiding tot GIS met QGIS", "Introduction to GIS with QGIS",
        "Kaarten maken en ruimtelijke data analyseren met open-source software.",
        "Make maps and analyse spatial data with open-source software.",
        COUPURE, Timetable(3, 7, *AFTERNOONS),
        {**LLA_SHORT, **fixed("450.00"), "seats": 20},
        # Starts within the week: its registration deadline has just passed.
        (Run(CURRENT, TODAY, 3), Run(NEXT, SECOND_SEMESTER, 7)),
    ),
    CourseSpec(
        "lla", SHORT, "SC-WRITE", EN,
        "Wetenschappelijk schrijven in het Engels", "Scientific Writing in English",
        "Structuur, stijl en helder Engels voor artikels en projectaanvragen.",
        "Structure, style and plain English for papers and grant proposals.",
        HET_PAND, Timetable(5, 7, *EVENINGS),
        {**LLA_SHORT, **fixed("395.00"), "seats": 16},
        (Run(CURRENT, TODAY, 10), Run(NEXT, YEAR_START, 35)),
    ),
    CourseSpec(
        "lla", SHORT, "SC-RSTAT", EN,
        "Toegepaste statistiek met R", "Applied Statistics with R",
        "Regressie, variantieanalyse en grafieken in R, met eigen data.",
        "Regression, analysis of variance and graphics in R, with your own data.",
        ONLINE, Timetable(6, 7, *EVENINGS),
        {**LLA_SHORT, **fixed("595.00"), "seats": 30, "kmo_eligible": True},
        (Run(CURRENT, TODAY, 45), Run(NEXT, SECOND_SEMESTER, 14)),
    ),
    CourseSpec(
        "lla", SHORT, "FT-AIETHICS", EN,
        "AI en ethiek: middaglezingen", "AI and Ethics: Lunchtime Lectures",
        "Twee gratis lezingen over verantwoord gebruik van artificiële intelligentie.",
        "Two free lectures on the responsible use of artificial intelligence.",
        HET_PAND, Timetable(2, 7, time(12, 30), time(13, 30)),
        # Two seats only, to try the waiting list.
        {**FREE, "seats": 2},
        (Run(CURRENT, TODAY, 14),),
    ),
    CourseSpec(
        "lla", SHORT, "FT-OPENSCI", EN,
        "Open science in de praktijk (webinar)", "Open Science in Practice (webinar)",
        "Open data, preregistratie en open access in twee korte webinars.",
        "Open data, preregistration and open access in two short webinars.",
        ONLINE, Timetable(2, 7, time(14, 0), time(15, 30)),
        {**FREE, "seats": 60},
        (Run(CURRENT, TODAY, 28), Run(NEXT, YEAR_START, 42)),
    ),
    CourseSpec(
        "lla", POSTGRADUATE, "PG-DATASCI", EN,
        "Postgraduaat Data Science", "Postgraduate Certificate in Data Science",
        "Een jaar lang data science voor professionals, met een eigen eindproject.",
        "A year of data science for professionals, ending in a capstone project.",
        STERRE, Timetable(10, 21, *FULL_DAYS),
        {**LLA_PROGRAMME, **INSTALMENTS, "seats": 30, "admission_required": True,
         "kmo_eligible": True},
        # The current edition runs already and is closed.
        (Run(CURRENT, YEAR_START, 4, {"status": Edition.Status.CLOSED}),
         Run(NEXT, YEAR_START, 4)),
        (
            Unit("DS1", "Programmeren en data voorbereiden", "Programming and Data Wrangling",
                 5, FIRST, digital_exam=True),
            Unit("DS2", "Statistisch leren", "Statistical Learning", 5, FIRST,
                 digital_exam=True),
            Unit("DS3", "Machine learning in de praktijk", "Machine Learning in Practice",
                 5, SECOND, attendance_required=True),
            Unit("DS4", "Eindproject", "Capstone Project", 5, YEAR,
                 attendance_required=True, examinable_once_a_year=True),
        ),
    ),
    CourseSpec(
        "lla", POSTGRADUATE, "PG-FOOD", EN,
        "Postgraduaat Duurzame voedselsystemen", "Postgraduate in Sustainable Food Systems",
        "Van landbouw tot bord: een programma van 60 studiepunten met stage.",
        "From farm to fork: a 60-credit programme with an internship.",
        COUPURE, Timetable(10, 28, *FULL_DAYS),
        {**LLA_PROGRAMME, **INSTALMENTS, "seats": 40, "admission_required": True,
         "kmo_eligible": True},
        (Run(CURRENT, YEAR_START, 3), Run(NEXT, YEAR_START, 3)),
        (
            Unit("FS1", "Voedselsystemen en duurzaamheid", "Food Systems and Sustainability",
                 6, FIRST),
            Unit("FS2", "Agro-ecologie", "Agroecology", 6, FIRST),
            Unit("FS3", "Voedingsleer en gezondheid", "Nutrition and Health", 6, FIRST),
            Unit("FS4", "Data voor de voedselketen", "Data for the Food Chain", 6, FIRST,
                 digital_exam=True),
            Unit("FS5", "Voedselverwerking en valorisatie", "Food Processing and Valorisation",
                 6, SECOND),
            Unit("FS6", "Voedselbeleid en -recht", "Food Policy and Law", 6, SECOND,
                 digital_exam=True),
            Unit("FS7", "Consumentengedrag", "Consumer Behaviour", 6, SECOND),
            Unit("FS8", "Stage", "Internship", 9, YEAR, attendance_required=True),
            Unit("FS9", "Geïntegreerd project", "Integrated Project", 9, YEAR,
                 examinable_once_a_year=True),
        ),
    ),
    CourseSpec(
        "lla", MICRO, "MC-DATAVIZ", EN,
        "Micro-credential Datavisualisatie", "Micro-credential Data Visualisation",
        "Data helder in beeld brengen en er een verhaal mee vertellen.",
        "Show data clearly and tell a story with it.",
        HET_PAND, Timetable(6, 7, *EVENINGS),
        {**LLA_PROGRAMME, "seats": 25},
        (Run(CURRENT, SECOND_SEMESTER, 1), Run(NEXT, SECOND_SEMESTER, 1)),
        (
            Unit("DV1", "Principes van visuele waarneming", "Principles of Visual Perception",
                 2, SECOND, digital_exam=True),
            Unit("DV2", "Interactieve dashboards", "Interactive Dashboards", 3, SECOND,
                 attendance_required=True),
        ),
    ),
    CourseSpec(
        "lla", MICRO, "MC-CLIMATE", EN,
        "Micro-credential Klimaatadaptatie in steden", "Micro-credential Climate-Adaptive Cities",
        "Hitte, droogte en wateroverlast: ontwerpen voor een stad die zich aanpast.",
        "Heat, drought and flooding: designing a city that adapts.",
        COUPURE, Timetable(5, 7, *AFTERNOONS),
        {**LLA_PROGRAMME, "seats": 20},
        # Next year's edition is still being prepared.
        (Run(CURRENT, SECOND_SEMESTER, 14),
         Run(NEXT, SECOND_SEMESTER, 14, {"status": Edition.Status.DRAFT})),
        (
            Unit("CA1", "Klimaatadaptieve stadsontwikkeling", "Climate-Adaptive Urban Design",
                 4, SECOND, attendance_required=True, examinable_once_a_year=True),
        ),
    ),
)

UHL_COURSES = (
    CourseSpec(
        "uhl", POSTGRADUATE, "PG-ZORGMGT", NL,
        "Postgraduaat Zorgmanagement", "Postgraduate in Healthcare Management",
        "Voor leidinggevenden in de zorg: economie, leiderschap en kwaliteit.",
        "For managers in healthcare: economics, leadership and quality.",
        DIEPENBEEK, Timetable(10, 21, time(9, 30), time(16, 30)),
        {**UHL, **fixed("2400.00"), **INSTALMENTS, "seats": 30, "admission_required": True,
         "kmo_eligible": True},
        # The current edition started four weeks ago.
        (Run(CURRENT, TODAY, -28), Run(NEXT, YEAR_START, 4)),
        (
            Unit("ZM1", "Gezondheidseconomie", "Health Economics", 4, FIRST,
                 digital_exam=True),
            Unit("ZM2", "Leiderschap in zorgorganisaties", "Leadership in Care Organisations",
                 5, FIRST, attendance_required=True),
            Unit("ZM3", "Kwaliteit en patiëntveiligheid", "Quality and Patient Safety", 5,
                 SECOND),
            Unit("ZM4", "Eindwerk", "Final Paper", 6, YEAR, examinable_once_a_year=True),
        ),
        uses_weighted_percentage=True,
    ),
    CourseSpec(
        "uhl", POSTGRADUATE, "PG-VERKEER", NL,
        "Postgraduaat Verkeersveiligheid", "Postgraduate in Road Safety",
        "Verkeerspsychologie, data en infrastructuur voor wie beleid maakt of uitvoert.",
        "Traffic psychology, data and infrastructure for policy makers and practitioners.",
        DIEPENBEEK, Timetable(10, 21, time(13, 0), time(17, 0)),
        {**UHL, **per_credit("300.00", "60.00"), **INSTALMENTS, "seats": 35,
         "kmo_eligible": True},
        (Run(CURRENT, YEAR_START, 3), Run(NEXT, YEAR_START, 3)),
        (
            Unit("VV1", "Verkeerspsychologie", "Traffic Psychology", 6, FIRST),
            Unit("VV2", "Verkeerskundige data-analyse", "Traffic Data Analysis", 6, FIRST,
                 digital_exam=True),
            Unit("VV3", "Infrastructuur en mobiliteit", "Infrastructure and Mobility", 6,
                 SECOND),
            Unit("VV4", "Handhaving en beleid", "Enforcement and Policy", 6, SECOND),
            Unit("VV5", "Eindproject", "Final Project", 6, YEAR, attendance_required=True,
                 examinable_once_a_year=True),
        ),
        uses_weighted_percentage=True,
    ),
    CourseSpec(
        "uhl", POSTGRADUATE, "PG-ERFGOED", NL,
        "Postgraduaat Herbestemming van erfgoed", "Postgraduate in Adaptive Reuse of Heritage",
        "Bouwhistorisch onderzoek en ontwerp voor een nieuw leven in oude gebouwen.",
        "Building archaeology and design for a new life in old buildings.",
        HASSELT, Timetable(8, 21, *FULL_DAYS),
        {**UHL, **fixed("2950.00"), "seats": 20, "admission_required": True},
        (Run(NEXT, YEAR_START, 1),),
        (
            Unit("EH1", "Bouwhistorisch onderzoek", "Building Archaeology", 5, FIRST,
                 attendance_required=True),
            Unit("EH2", "Ontwerpen in bestaande context", "Designing in an Existing Context",
                 10, YEAR, attendance_required=True, examinable_once_a_year=True),
            Unit("EH3", "Regelgeving en erfgoedbeleid", "Regulation and Heritage Policy", 5,
                 SECOND, digital_exam=True),
        ),
        uses_weighted_percentage=True,
    ),
    CourseSpec(
        "uhl", MICRO, "MC-AIONDERWIJS", NL,
        "Micro-credential AI in het onderwijs", "Micro-credential AI in Education",
        "Generatieve AI zinvol en verantwoord inzetten in de les en bij evaluatie.",
        "Using generative AI meaningfully and responsibly in class and in assessment.",
        ONLINE, Timetable(4, 7, time(14, 0), time(17, 0)),
        {**UHL, **fixed("300.00"), "seats": 40},
        (Run(CURRENT, TODAY, 17), Run(NEXT, YEAR_START, 9)),
        (Unit("AI1", "AI in het onderwijs", "AI in Education", 3, FIRST,
              digital_exam=True),),
    ),
    CourseSpec(
        "uhl", MICRO, "MC-CIRCULAIR", NL,
        "Micro-credential Circulaire economie in de praktijk",
        "Micro-credential Circular Economy in Practice",
        "Circulaire bedrijfsmodellen en levenscyclusanalyse met cases uit Limburg.",
        "Circular business models and life-cycle assessment with cases from Limburg.",
        DIEPENBEEK, Timetable(5, 7, *AFTERNOONS),
        {**UHL, **fixed("450.00"), "seats": 25, "kmo_eligible": True},
        (Run(CURRENT, SECOND_SEMESTER, 2), Run(NEXT, SECOND_SEMESTER, 2)),
        (
            Unit("CE1", "Circulaire bedrijfsmodellen", "Circular Business Models", 2, SECOND),
            Unit("CE2", "Levenscyclusanalyse", "Life-Cycle Assessment", 2, SECOND,
                 digital_exam=True),
        ),
    ),
    CourseSpec(
        "uhl", MICRO, "MC-BIOSTAT", NL,
        "Micro-credential Biostatistiek voor klinisch onderzoek",
        "Micro-credential Biostatistics for Clinical Research",
        "Statistische basis en regressiemodellen voor wie klinische studies opzet of leest.",
        "Statistical foundations and regression models for those who design or read trials.",
        DIEPENBEEK, Timetable(6, 7, *EVENINGS),
        {**UHL, **per_credit("150.00", "60.00"), "seats": 30},
        (Run(CURRENT, TODAY, 35), Run(NEXT, YEAR_START, 14)),
        (
            Unit("BS1", "Basisbegrippen biostatistiek", "Basic Biostatistics", 3, FIRST,
                 digital_exam=True),
            Unit("BS2", "Regressiemodellen", "Regression Models", 3, FIRST,
                 digital_exam=True, examinable_once_a_year=True),
        ),
    ),
    CourseSpec(
        "uhl", SHORT, "KO-POWERBI", NL,
        "Power BI voor beleidsmedewerkers", "Power BI for Policy Officers",
        "Bedrijfsopleiding: rapporten en dashboards bouwen met de eigen cijfers.",
        "In-company training: build reports and dashboards with your own figures.",
        CORDA, Timetable(3, 7, time(9, 0), time(12, 30)),
        # In-company training, not university education: subject to VAT.
        {**UHL, **TAXED, **fixed("350.00"), "seats": 12, "kmo_eligible": True},
        (Run(CURRENT, TODAY, 12), Run(NEXT, SECOND_SEMESTER, 15)),
    ),
    CourseSpec(
        "uhl", SHORT, "KO-ONDERHANDELEN", NL,
        "Onderhandelen in de zorg", "Negotiation Skills in Healthcare",
        "Twee dagen oefenen in onderhandelen met collega's, artsen en directie.",
        "Two days of practising negotiation with colleagues, doctors and management.",
        HASSELT, Timetable(2, 7, time(9, 30), time(16, 30)),
        {**UHL, **fixed("295.00"), "seats": 18},
        # Cancelled by the organizer: too few registrations.
        (Run(CURRENT, TODAY, 20, {"status": Edition.Status.CANCELLED}),
         Run(NEXT, SECOND_SEMESTER, 22)),
    ),
    CourseSpec(
        "uhl", SHORT, "KO-GDPR", NL,
        "GDPR voor kmo's", "GDPR for Small Businesses",
        "Wat de AVG concreet vraagt van een kleine onderneming, met checklists.",
        "What the GDPR concretely asks of a small business, with checklists.",
        ONLINE, Timetable(2, 7, *AFTERNOONS),
        {**UHL, **fixed("250.00"), "seats": 40, "kmo_eligible": True},
        (Run(CURRENT, TODAY, 26),),
    ),
    CourseSpec(
        "uhl", SHORT, "KO-DIDACTIEK", NL,
        "Activerende didactiek voor lesgevers", "Active Teaching Methods for Lecturers",
        "Werkvormen die studenten en cursisten aan het denken en doen zetten.",
        "Teaching methods that get students thinking and doing.",
        HASSELT, Timetable(3, 7, time(13, 0), time(16, 0)),
        {**UHL, **fixed("180.00"), "seats": 20},
        (Run(CURRENT, TODAY, 8), Run(NEXT, YEAR_START, 16)),
    ),
)

# fmt: on

COURSES = LLA_COURSES + UHL_COURSES
