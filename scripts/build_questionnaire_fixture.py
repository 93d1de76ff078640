#!/usr/bin/env python3
"""Build fixtures/questionnaire.json from the item bank in instrument.md.

Usage: python scripts/build_questionnaire_fixture.py [--source PATH] [--output PATH]

The Dutch items, flags, explanations and recommendations are parsed from instrument.md §2 so
the fixture follows the bank; what the bank does not hold (English translations of the
explanations and recommendations, the article's indicator names, chart labels) lives in this
script. Primary keys are derived from the codes (D3 → 3, D3.7 → 307, ...) so that loaddata
updates rows in place instead of adding copies.

Once answers refer to version 1, do not regenerate it with different meanings: make a new
version in the admin instead (Questionnaire.new_version()).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The design documents sit in a "shared" folder beside the checkout (or beside a worktree's
# parent folder).
DEFAULT_SOURCE = next(
    (
        folder / "shared" / "instrument.md"
        for folder in ROOT.parents
        if (folder / "shared" / "instrument.md").exists()
    ),
    ROOT.parent / "shared" / "instrument.md",
)
DEFAULT_OUTPUT = ROOT / "fixtures" / "questionnaire.json"

QUESTIONNAIRE = {
    "code": "leercultuur-mkb",
    "version": 1,
    "name_nl": "Leercultuurscan mkb",
    "name_en": "SME learning culture scan",
    "instruction_en": (
        "For each statement, indicate how much you agree with it. Think of your own work and "
        'your own team. By "manager" we mean the person you report to directly; in a small '
        "company that may be the owner or director."
    ),
}

# name_nl is the leercultuurdrager exactly as Korevaar et al. (2020) name it (model-source.txt).
DIMENSIONS = {
    "D1": {
        "name_nl": "Inhoud van werk: taken die blijven uitdagen",
        "name_en": "Content of work: tasks that keep challenging",
        "short_name_nl": "Inhoud van werk",
        "short_name_en": "Content of work",
        "explanation_en": (
            "For most employees, the work itself is the most important source of learning. "
            "People who are free to decide how the work is done, who regularly solve difficult "
            "problems and who have varied, challenging tasks learn every day, even without a "
            "course. A low score often means that the work is highly standardised or that "
            "decisions are mostly taken 'higher up'. Then little informal learning takes place "
            "and skills gradually become outdated. Nationally this is a well-known point for "
            "attention. The Learning Culture Monitor of SER and TNO shows that variety and "
            "autonomy in work are still not used enough as a source of learning."
        ),
        "recommendations_en": [
            (
                "Task rotation",
                "Every quarter, let employees take over a task, machine, customer group or "
                "project from a colleague, with that colleague as their buddy while they learn "
                "it.",
            ),
            (
                "Put the room for decisions in writing",
                "For each job, agree on one A4 page which decisions employees may take "
                "themselves, for example about the order of work, the approach or small "
                "purchases up to an agreed amount. Widen that room step by step.",
            ),
            (
                "One 'stretch job' every six months",
                "In the development conversation, give every employee one assignment just above "
                "their current level, with guidance and a short look back afterwards.",
            ),
        ],
    },
    "D2": {
        "name_nl": "Ruimte en veiligheid om te blijven ontwikkelen",
        "name_en": "Room and safety to keep developing",
        "short_name_nl": "Ruimte & veiligheid",
        "short_name_en": "Room & safety",
        "explanation_en": (
            "Learning goes hand in hand with asking questions, making mistakes and trying things "
            "that might not work. People only do that when they trust that it will not be used "
            "against them. Researchers call this psychological safety: the shared feeling in a "
            "team that it is safe to take risks in dealing with each other. A low score usually "
            "means that mistakes are kept quiet, that problems come to light late and that good "
            "ideas are not voiced. That holds back not only learning, but also quality and "
            "safety."
        ),
        "recommendations_en": [
            (
                "A learning moment in every team meeting",
                'Spend five minutes on "what went wrong and what do we learn from it", without '
                "looking for someone to blame. The manager starts with a mistake of their own.",
            ),
            (
                "Trial runs are allowed",
                "Agree that a team may test a new way of working for four to six weeks, within "
                "an agreed time and budget, and then evaluate it together. That makes "
                "experimenting something normal instead of a risk.",
            ),
            (
                "Reward what you want to see",
                "Thank employees visibly when they report a mistake, near miss or problem, and "
                "show what was done with it. Train managers to ask further "
                '("what did you need?") instead of judging.',
            ),
        ],
    },
    "D3": {
        "name_nl": "Samenwerken en teamontwikkeling",
        "name_en": "Collaboration and team development",
        "short_name_nl": "Samenwerken",
        "short_name_en": "Collaboration",
        "explanation_en": (
            "In SMEs, a lot is learned from and with colleagues: by watching, asking questions, "
            "solving problems together and through experienced professionals who pass on their "
            "knowledge. That takes good working relationships, people who want to share their "
            "knowledge, a mentor or role model, a workplace where people easily run into each "
            "other, and collaboration beyond the boundaries of one's own trade. A low score "
            "often means that knowledge stays in people's heads. The company then becomes "
            "vulnerable when someone falls ill or leaves, and new colleagues learn more slowly."
        ),
        "recommendations_en": [
            (
                "Master and apprentice pairs",
                "Pair new or less experienced employees with a fixed, experienced colleague. "
                "Give that colleague real time for it, for example two hours a week, and show "
                "visibly that the role is valued.",
            ),
            (
                "Short knowledge sessions and a meeting spot",
                'Every two weeks, organise a 15-minute "toolbox" or lunch-and-learn moment in '
                "which employees take turns explaining something. Set up a fixed meeting spot "
                "near the workplace, with a whiteboard.",
            ),
            (
                "Mixed teams and job shadowing days",
                "Deliberately set up improvement actions with a mix of office and shop floor, "
                "and of young and experienced people. Once a year, let employees spend a day "
                "with another department, a customer or a supplier.",
            ),
        ],
    },
    "D4": {
        "name_nl": "Leiderschap gericht op ontwikkeling",
        "name_en": "Leadership focused on development",
        "short_name_nl": "Leiderschap",
        "short_name_en": "Leadership",
        "explanation_en": (
            "In an SME, the owner and the managers strongly shape how people think about "
            "learning. Employees mainly look at what they do: do they explain why development "
            "is needed for the future of the company, do they visibly keep learning "
            "themselves, and do they give employees room and responsibility to decide what and "
            "how they learn? A low score often means that learning is seen as something for "
            "'when there is time left', or that the manager arranges everything personally. "
            "Employees then take little initiative of their own."
        ),
        "recommendations_en": [
            (
                "Write a short vision on learning together",
                "In half a day with the team, put into words why you learn and what the company "
                "must be able to do in two years' time. Link it to the business plans and "
                "discuss it again every year.",
            ),
            (
                "Set an example",
                "As a manager, show what you are learning yourself, for example a course, a "
                "mistake or a new insight. Ask employees for feedback on your own way of "
                "managing at least once a quarter.",
            ),
            (
                "Organise ownership",
                "In the development conversation, let the employee bring in the agenda and the "
                "learning goals. Make employees 'owner' of an improvement point, machine, "
                "product or customer question. Place decision-making powers as low in the "
                "organisation as possible.",
            ),
        ],
    },
    "D5": {
        "name_nl": "Organisatie gericht op ontwikkeling",
        "name_en": "Organisation focused on development",
        "short_name_nl": "Organisatie",
        "short_name_en": "Organisation",
        "explanation_en": (
            "A learning culture only lasts when it is built into the organisation. That means "
            "fixed moments to improve and look back, a way to record lessons, appreciation and "
            "reward for development, regular development conversations and a training budget "
            "that people know about. Without these structures, learning depends on chance and "
            "on a few enthusiastic people. A low score often means that the intentions are "
            "good, but that agreements, time or money are missing or not known to employees."
        ),
        "recommendations_en": [
            (
                "A budget in money and hours, and make it known",
                "Set an annual development budget per employee, for example an amount plus a "
                "number of hours during working time, and make the application procedure known. "
                "Look into co-funding through the SLIM scheme of the Ministry of Social Affairs "
                "and Employment or the training fund (O&O-fonds) of your sector.",
            ),
            (
                "A fixed look back, and write it down",
                "Close every project or large job with a short 15-minute evaluation: what went "
                "well, what could be better, what do we change. Update the work instructions or "
                "the shared 'lessons folder' straight away. Plan one or two development "
                "conversations a year.",
            ),
            (
                "Value development visibly",
                "Include 'learning and sharing knowledge' in the appraisal, celebrate "
                "certificates and new skills in the team meeting, and link new skills to "
                "promotion or pay.",
            ),
        ],
    },
    "D6": {
        "name_nl": "Organisatie verbinden met de externe omgeving",
        "name_en": "Connecting the organisation with the outside world",
        "short_name_nl": "Externe omgeving",
        "short_name_en": "Outside world",
        "explanation_en": (
            "A learning organisation looks outward. It actively follows what is changing in "
            "technology, regulations, the market and society, and uses customers, suppliers, "
            "schools and networks as sources of new knowledge. By developing solutions "
            "together with customers and suppliers (co-creation), employees learn directly in "
            "practice. A low score often means that knowledge from outside only reaches the "
            "management, or that the company mainly reacts to changes instead of anticipating "
            "them."
        ),
        "recommendations_en": [
            (
                "A monthly 'outside view'",
                "In the team meeting, discuss one development from outside, for example a new "
                "technique, rule or customer need. For each theme, make one employee the 'trend "
                "scout' who reports back on it.",
            ),
            (
                "Take employees outside",
                "Let employees, not only the management, come along to customer meetings, trade "
                "fairs and supplier demonstrations. Agree that they share what they learned in "
                "the team meeting.",
            ),
            (
                "A small co-creation project",
                "Start a concrete improvement project with a regular customer, a supplier or a "
                "vocational college or university of applied sciences, for example through an "
                "internship, a graduation assignment, a research group or a regional learning "
                "network such as Huis van het Werk.",
            ),
        ],
    },
}

# Plain (B1) wording of the indicators for HR pages and the report; the article's own wording
# stays the indicator's name and is listed in the report's method appendix.
PLAIN_NAMES = {
    "Taakautonomie": ("Zelf bepalen hoe je werkt", "Deciding how you do your work"),
    "Taakcomplexiteit": ("Werk waarbij je moet nadenken", "Work that makes you think"),
    "Uitdaging in taken": ("Uitdagende taken", "Challenging tasks"),
    "Onderling vertrouwen": ("Elkaar vertrouwen", "Trusting each other"),
    "Fouten mogen maken": ("Fouten mogen maken", "Being allowed to make mistakes"),
    "Experimenteerruimte": ("Ruimte om nieuwe dingen te proberen", "Room to try new things"),
    "Goede werkrelatie": ("Goede werkrelaties", "Good working relationships"),
    "Kennisuitwisseling": ("Kennis delen", "Sharing knowledge"),
    "Mentor/rolmodel": ("Iemand om van te leren", "Someone to learn from"),
    "Werkplekinrichting ten behoeve van kennisuitwisseling": (
        "Een werkplek waar je makkelijk kennis deelt",
        "A workplace that makes sharing knowledge easy",
    ),
    "Samenwerken in diverse teams en/of met andere disciplines": (
        "Samenwerken met andere teams en vakgebieden",
        "Working with other teams and trades",
    ),
    "Visie op leren kunnen uitdragen": (
        "De leiding laat zien waarom leren telt",
        "Managers show why learning matters",
    ),
    "Rolmodel": ("De leiding geeft het goede voorbeeld", "Managers set the example"),
    "Eigenaarschap stimuleren": (
        "De leiding geeft je eigen verantwoordelijkheid",
        "Managers give you ownership",
    ),
    "Ondersteunende structuren en systemen gericht op continu verbeteren": (
        "Vaste manieren om steeds te verbeteren",
        "Set ways to keep improving",
    ),
    "Ondersteunende structuren en systemen om leerervaringen vast te leggen": (
        "Vastleggen wat we leren",
        "Recording what we learn",
    ),
    "Beoordelings- en beloningsstructuur voor ontwikkelinitiatieven": (
        "Leren wordt gezien en beloond",
        "Learning is noticed and rewarded",
    ),
    "Periodieke evaluatiemomenten": (
        "Regelmatig samen terugkijken",
        "Looking back together regularly",
    ),
    "Opleidingsbudget": ("Geld voor opleiding", "Money for training"),
    "(Proactief) kennis opnemen van ontwikkelingen in de maatschappij en markt": (
        "Bijblijven met wat er verandert in markt en maatschappij",
        "Keeping up with changes in the market and society",
    ),
    "Co-creatie met klanten": ("Samen met klanten verbeteren", "Improving together with customers"),
    "Co-creatie met leveranciers": (
        "Leren van leveranciers en partners",
        "Learning from suppliers and partners",
    ),
}

# The indicators exactly as the article lists them (see tests/test_questionnaire_content.py for
# how its enumerations are split), each with the labels instrument.md's indicator column uses.
INDICATORS = {
    "D1": [
        ("Taakautonomie", "Task autonomy", {"Taakautonomie"}),
        ("Taakcomplexiteit", "Task complexity", {"Taakcomplexiteit"}),
        ("Uitdaging in taken", "Challenge in tasks", {"Uitdaging in taken"}),
    ],
    "D2": [
        ("Onderling vertrouwen", "Mutual trust", {"Onderling vertrouwen"}),
        ("Fouten mogen maken", "Being allowed to make mistakes", {"Fouten mogen maken"}),
        ("Experimenteerruimte", "Room to experiment", {"Experimenteerruimte"}),
    ],
    "D3": [
        ("Goede werkrelatie", "Good working relationships", {"Goede werkrelatie"}),
        ("Kennisuitwisseling", "Knowledge sharing", {"Kennisuitwisseling"}),
        ("Mentor/rolmodel", "Mentor / role model", {"Mentor/rolmodel"}),
        (
            "Werkplekinrichting ten behoeve van kennisuitwisseling",
            "Workplace layout that supports knowledge sharing",
            {"Werkplekinrichting"},
        ),
        (
            "Samenwerken in diverse teams en/of met andere disciplines",
            "Working in diverse teams and/or with other disciplines",
            {"Diverse teams / disciplines"},
        ),
    ],
    "D4": [
        (
            "Visie op leren kunnen uitdragen",
            "Conveying a vision on learning",
            {"Visie op leren uitdragen"},
        ),
        ("Rolmodel", "Role model", {"Rolmodel"}),
        ("Eigenaarschap stimuleren", "Encouraging ownership", {"Eigenaarschap stimuleren"}),
    ],
    "D5": [
        (
            "Ondersteunende structuren en systemen gericht op continu verbeteren",
            "Supporting structures and systems for continuous improvement",
            {"Structuren voor continu verbeteren"},
        ),
        (
            "Ondersteunende structuren en systemen om leerervaringen vast te leggen",
            "Supporting structures and systems to record learning experiences",
            {"Leerervaringen vastleggen"},
        ),
        (
            "Beoordelings- en beloningsstructuur voor ontwikkelinitiatieven",
            "Appraisal and reward structure for development initiatives",
            {"Beoordeling & beloning"},
        ),
        (
            "Periodieke evaluatiemomenten",
            "Periodic evaluation moments",
            {"Periodieke evaluatiemomenten"},
        ),
        ("Opleidingsbudget", "Training budget", {"Opleidingsbudget"}),
    ],
    "D6": [
        (
            "(Proactief) kennis opnemen van ontwikkelingen in de maatschappij en markt",
            "(Proactively) taking in developments in society and the market",
            {"Kennis opnemen uit markt en maatschappij"},
        ),
        ("Co-creatie met klanten", "Co-creation with customers", {"Co-creatie met klanten"}),
        (
            "Co-creatie met leveranciers",
            "Co-creation with suppliers",
            {"Co-creatie met leveranciers/partners"},
        ),
    ],
}

# Wording changed for B1 readers; the meaning is the bank's.
ITEM_WORDING = {
    # The bank's inverted sentence with a parenthetical between commas is hard to follow.
    "D3.10": (
        "We zien verschillen tussen collega's (in ervaring, leeftijd, achtergrond of vak) als "
        "iets om van te leren.",
        "We see differences between colleagues (in experience, age, background or trade) as "
        "something to learn from.",
    ),
}

OPEN_QUESTION_CODES = ["O1", "O2"]


def _plain(text: str) -> str:
    """Drop Markdown emphasis; the content is shown as plain text."""
    return re.sub(r"\*+", "", text).strip()


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def parse_instrument(markdown: str) -> dict:
    bank = markdown.split("## 2. Item bank", 1)[1].split("## 3.", 1)[0]
    instruction = re.search(r"\*\*Instruction \(NL\):\*\* \*(.+?)\*\s*$", bank, re.M)
    if not instruction:
        raise SystemExit("instrument.md: instruction (NL) not found")
    sections = re.split(r"^### ", bank, flags=re.M)[1:]
    dimensions = {}
    open_questions = []
    for section in sections:
        heading, _, body = section.partition("\n")
        match = re.match(r"(D\d) — (.+?) \((\d+) items\)", heading)
        if match:
            code, name, count = match.group(1), match.group(2), int(match.group(3))
            dimensions[code] = _parse_dimension(code, name, count, body)
        elif heading.startswith("Open questions"):
            for match in re.finditer(
                r"^\d\. \*\*NL[^*]*:\*\* \*(.+?)\* \*\*EN:\*\* (.+?)\s*$", body, re.M
            ):
                open_questions.append((match.group(1).strip(), match.group(2).strip()))
    return {
        "instruction_nl": instruction.group(1).strip(),
        "dimensions": dimensions,
        "open_questions": open_questions,
    }


def _parse_dimension(code: str, name: str, count: int, body: str) -> dict:
    items = []
    for row in re.finditer(r"^\| (D\d\.\d+) \|(.+)\|\s*$", body, re.M):
        cells = [cell.strip() for cell in row.group(2).split("|")]
        indicator, text_nl, text_en, flags = cells
        flag_set = {_plain(flag) for flag in flags.split(",") if flag.strip()}
        items.append(
            {
                "code": row.group(1),
                "indicator": indicator,
                "text_nl": text_nl,
                "text_en": text_en,
                "flags": flag_set,
            }
        )
    if len(items) != count:
        raise SystemExit(f"instrument.md: {code} announces {count} items, found {len(items)}")
    explanation = re.search(r"^\*\*Toelichting[^*]*\*\* (.+?)\s*$", body, re.M)
    if not explanation:
        raise SystemExit(f"instrument.md: {code} has no Toelichting")
    recommendations = [
        (_plain(m.group(1)).rstrip(":"), _capitalise(m.group(2).strip()))
        for m in re.finditer(r"^\d\. \*\*(.+?)\*\* (.+?)\s*$", body, re.M)
    ]
    if len(recommendations) != 3:
        raise SystemExit(f"instrument.md: {code} has {len(recommendations)} recommendations")
    return {
        "name": name,
        "items": items,
        "explanation_nl": _plain(explanation.group(1)),
        "recommendations": recommendations,
    }


def build(parsed: dict) -> list[dict]:
    objects: list[dict] = [
        {
            "model": "assessments.questionnaire",
            "pk": 1,
            "fields": {
                **QUESTIONNAIRE,
                "instruction_nl": parsed["instruction_nl"],
                "is_published": True,
            },
        }
    ]
    indicators, items, recommendations = [], [], []
    for position, (code, source) in enumerate(parsed["dimensions"].items(), start=1):
        meta = DIMENSIONS[code]
        if source["name"] != meta["name_nl"]:
            raise SystemExit(f"{code}: bank says {source['name']!r}, script {meta['name_nl']!r}")
        dim_pk = int(code[1:])
        objects.append(
            {
                "model": "assessments.dimension",
                "pk": dim_pk,
                "fields": {
                    "questionnaire": 1,
                    "code": code,
                    "position": position,
                    "name_nl": meta["name_nl"],
                    "name_en": meta["name_en"],
                    "short_name_nl": meta["short_name_nl"],
                    "short_name_en": meta["short_name_en"],
                    "explanation_nl": source["explanation_nl"],
                    "explanation_en": meta["explanation_en"],
                },
            }
        )
        label_to_pk = {}
        for ind_pos, (name_nl, name_en, labels) in enumerate(INDICATORS[code], start=1):
            pk = dim_pk * 100 + ind_pos
            label_to_pk.update(dict.fromkeys(labels, pk))
            indicators.append(
                {
                    "model": "assessments.indicator",
                    "pk": pk,
                    "fields": {
                        "dimension": dim_pk,
                        "position": ind_pos,
                        "name_nl": name_nl,
                        "name_en": name_en,
                        "plain_name_nl": PLAIN_NAMES[name_nl][0],
                        "plain_name_en": PLAIN_NAMES[name_nl][1],
                    },
                }
            )
        for item_pos, item in enumerate(source["items"], start=1):
            if item["indicator"] not in label_to_pk:
                raise SystemExit(f"{item['code']}: unknown indicator {item['indicator']!r}")
            unknown = item["flags"] - {"R", "K", "WN"}
            if unknown:
                raise SystemExit(f"{item['code']}: unknown flags {unknown}")
            text_nl, text_en = ITEM_WORDING.get(item["code"], (item["text_nl"], item["text_en"]))
            items.append(
                {
                    "model": "assessments.item",
                    "pk": dim_pk * 100 + item_pos,
                    "fields": {
                        "dimension": dim_pk,
                        "indicator": label_to_pk[item["indicator"]],
                        "code": item["code"],
                        "position": item_pos,
                        "text_nl": text_nl,
                        "text_en": text_en,
                        "is_reversed": "R" in item["flags"],
                        "allows_not_applicable": "WN" in item["flags"],
                        "in_quick_scan": "K" in item["flags"],
                    },
                }
            )
        for rec_pos, ((title_nl, body_nl), (title_en, body_en)) in enumerate(
            zip(source["recommendations"], meta["recommendations_en"], strict=True), start=1
        ):
            recommendations.append(
                {
                    "model": "assessments.recommendation",
                    "pk": dim_pk * 10 + rec_pos,
                    "fields": {
                        "dimension": dim_pk,
                        "position": rec_pos,
                        "title_nl": title_nl,
                        "title_en": title_en,
                        "body_nl": body_nl,
                        "body_en": body_en,
                    },
                }
            )
    if len(items) != 48:
        raise SystemExit(f"expected 48 items, found {len(items)}")
    open_questions = [
        {
            "model": "assessments.openquestion",
            "pk": position,
            "fields": {
                "questionnaire": 1,
                "code": code,
                "position": position,
                "text_nl": text_nl,
                "text_en": text_en,
            },
        }
        for position, (code, (text_nl, text_en)) in enumerate(
            zip(OPEN_QUESTION_CODES, parsed["open_questions"], strict=True), start=1
        )
    ]
    return objects + indicators + items + recommendations + open_questions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    objects = build(parse_instrument(args.source.read_text(encoding="utf-8")))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(objects, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(objects)} objects to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
