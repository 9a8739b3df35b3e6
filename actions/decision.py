"""What the assistant answers to a turn: one pure decision.

``decide(turn, content, now, offices)`` takes the turn read once from the
tracker (actions/turn.py), the content, the time and the tourism offices, and
returns a ``Decision``: the replies, in order, each with its typed ``why``
(actions/why.py), and the slot events. It reads no tracker and no clock, and
no file but what is read once and kept (nlu/'s marker words, the gazetteer,
the content's search index), so the tests and the evaluations call it
directly; the rasa-sdk actions (actions/actions.py) only read the turn, call
it and send the replies.

The turn's action says what Rasa's dialogue chose (dialogue/rules.yml):

- ``action_answer_place``: overview, directions, prices, hours, best time or
  activities of a place; ``action_answer_location``: where a place is;
- ``action_answer_faq``: a question of content/faq.yml;
- ``action_list_offers``, ``action_list_events``, ``action_contact``;
- ``action_greet``, ``action_thanks``;
- ``action_out_of_scope``: what the content does not cover;
- ``action_offer_person``, ``action_request_person``: the hand-off.

Every answer is grounded on the content: the place named or kept, the words
of the question kind, or a passage the ranking of the whole content puts
first (actions/ranking.py); otherwise the assistant says what it covers and
whom to ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rasa_sdk.events import SlotSet

from actions import (
    answers,
    comparison,
    faq,
    grounding,
    handoff,
    location,
    ranking,
    retrieval,
    suggestions,
)
from actions.answers import Reply
from actions.turn import Turn
from actions.why import INTENT, NO_FAQ_ENTRY, NO_WORDS, REFUSED_TWICE, SISTER, Why, scored
from curated.content import Content
from curated.offices import Office
from language import meaning

# At most this many questions of one message are answered.
MAX_QUESTIONS = 3

Events = list[dict[str, Any]]


@dataclass
class Decision:
    """The replies to send, in order, and the slot events to return."""

    replies: list[Reply] = field(default_factory=list)
    events: Events = field(default_factory=list)

    @property
    def why(self) -> list[Why]:
        """Why each reply was given, in order."""
        return [reply.why for reply in self.replies]


@dataclass(frozen=True)
class _Context:
    """What every rule below reads besides the turn."""

    turn: Turn
    content: Content
    now: dt.datetime
    offices: Mapping[str, Office]


def decide(
    turn: Turn,
    content: Content,
    now: dt.datetime,
    offices: Mapping[str, Office] | None = None,
) -> Decision:
    """The replies and events for ``turn`` (its ``action`` says which rule set)."""
    rule = RULES.get(turn.action)
    if rule is None:
        raise ValueError(f"no decision for action {turn.action!r}: one of {sorted(RULES)}")
    return rule(_Context(turn, content, now, offices or {}))


# --- what the turn names and asks ---------------------------------------------


def place_named(c: _Context) -> str | None:
    """The place of content/ the latest message names, if any: the most
    precise one when it names a place and a larger one it is within
    ("le Brévent, à Chamonix" is about the Brévent)."""
    asked = [e.value for e in c.turn.mentioned("place") if e.value in c.content.places]
    return answers.most_precise(c.content, asked)


def _mentioned(c: _Context, kind: str) -> list[dict[str, str]]:
    """Entities of one kind as answers.choose_place reads them: value and typed text."""
    return [{"value": e.value, "text": e.typed} for e in c.turn.mentioned(kind)]


def unfounded(c: _Context, intent: str) -> bool:
    """No evidence in the message for an answer of ``intent`` from the content:
    none of its marker words, or its nearest training example (by meaning) is
    out of scope or not close (actions/grounding.py). Called when it names no place."""
    return not grounding.has_evidence(intent, c.turn.text) or (
        grounding.far_from_the_content(c.turn.nearest)
    )


def follows_up_in_kind(c: _Context, intent: str) -> bool:
    """A follow-up about the conversation's place whose meaning is that of the
    intent's own training examples ("那怎么去？" after Badaling): grounded
    without a marker word (grounding.near_in_kind)."""
    return c.turn.place in c.content.places and grounding.near_in_kind(intent, c.turn.nearest)


def question_of(c: _Context, intent: str | None, place_id: str | None = None) -> ranking.Question:
    """The turn as the ranking reads it (actions/ranking.py): its text, intent
    and confidence, the place named (else ``place_id``, else the
    conversation's) and the message's sentence vector that Rasa sent along."""
    nearest = c.turn.nearest
    vector = meaning.unpack(nearest.get("vector")) if nearest is not None else None
    named = place_named(c)
    place = named or place_id or c.turn.place
    return ranking.Question(
        text=c.turn.text,
        language=c.turn.language,
        intent=intent,
        confidence=c.turn.confidence,
        topic=answers.TOPIC_OF_INTENT.get(intent or ""),
        place=place if place in c.content.places else None,
        named=bool(named),
        near_the_content=nearest is not None and not grounding.far_from_the_content(nearest),
        vector=vector,
    )


def runner_up_place_intent(c: _Context) -> str | None:
    """The model's second choice when it is a place question about a place we
    cover that the message names; else None."""
    others = [name for name in c.turn.ranking if name not in faq.FAQ_INTENTS]
    if others and others[0] in answers.TOPIC_OF_INTENT and place_named(c):
        return others[0]
    return None


# --- answers from the content ---------------------------------------------------


def faq_reply(c: _Context, intent: str | None, place_id: str | None = None) -> Reply | None:
    """The FAQ entry's answer when ``faq.decide`` says the message is one of its questions."""
    match = faq.decide(
        c.content, c.turn.text, c.turn.language, intent, place_id, confidence=c.turn.confidence
    )
    if match is None:
        return None
    # "What is the 5 day forecast?": the words of an entry, but nearest in
    # meaning to an out-of-scope example (or to none), and no place named.
    if not place_named(c) and grounding.far_from_the_content(c.turn.nearest):
        return None
    better = ranked_reply(c, intent, f"faq {match.entry.id}", place_id)
    if better is not None:
        return better[0]
    reply = answers.faq_answer(c.content, match.entry, c.turn.language, suggest=False)
    reply.why = replace(reply.why, similarity=round(match.score, 3))
    reply.about = match.entry.place
    return reply


def ranked_reply(
    c: _Context,
    intent: str | None,
    proposed: str | None,
    place_id: str | None = None,
    own_place: bool = False,
) -> tuple[Reply, str | None] | None:
    """The passage that answers better than the pipeline's ``proposed`` one
    (a passage id; None: the pipeline refused), with the place it is about,
    followed by those close behind it (ranking.close_behind); None to keep the
    pipeline's answer. ``own_place``: only the place's own passages (or those
    of a place it is within) may answer, not a country-wide one."""
    if not c.turn.text or c.turn.text.startswith("/"):
        return None
    question = question_of(c, intent, place_id)
    # The weights were chosen with the message's meaning: without its vector
    # (a button, a test's tracker) or before the passages are encoded (the
    # first seconds after a start), the pipeline's answer stands.
    if question.vector is None or not retrieval.index_of(c.content).meaning_ready():
        return None
    ranked = ranking.rank(c.content, question, c.now, proposed)
    if own_place and question.place is not None:
        ranked = [r for r in ranked if ranking.speaks_for(c.content, r.passage, question.place)]
    if not ranked:
        return None
    best: ranking.Ranked | None = ranked[0]
    if proposed is None:
        best = ranking.answers_refused(c.content, question, ranked)
    if best is None:
        return None
    # The first not clearly ahead: the passages close behind it too (ranking.MARGIN).
    behind = ranking.close_behind(c.content, question, ranked, refused=proposed is None)
    if best.passage.id == proposed and not behind:
        return None
    language = c.turn.language
    reply = answers.passage_reply(c.content, best.passage, language, c.now)
    missing = detail_missing(c, question, best.passage.id)
    if missing:
        reply.text = f"{missing}\n{reply.text}"
    for other in behind:
        given = answers.passage_reply(c.content, other.passage, language, c.now)
        reply.text = f"{reply.text}\n{given.text}"
    reply.why = replace(reply.why, ranked=tuple(scored(r) for r in (best, *behind)), over=proposed)
    return reply, best.passage.place


def refused_reply(c: _Context, intent: str | None) -> Reply | None:
    """A passage that answers what the pipeline would refuse ("雪具可以租吗"
    after La Féclaz): about a place, speaking of the detail asked (ranking.answers_refused)."""
    found = ranked_reply(c, intent, None)
    return found[0] if found else None


def detail_missing(c: _Context, question: ranking.Question, passage_id: str | None) -> str:
    """ "I don't have that detail" when the question asks a qualifier (winter,
    renting...) that the passage answered never speaks of."""
    from actions.passages import passages_of

    asked = question.qualifiers
    if not asked or question.place is None or passage_id is None:
        return ""
    passage = next((p for p in passages_of(c.content) if p.id == passage_id), None)
    if passage is None or asked & passage.qualifiers:
        return ""
    return c.content.phrase(
        "detail_missing",
        question.language,
        place=c.content.places[question.place].name[question.language],
        contact=answers.contact_details(c.content, question.place, question.language),
    )


def with_suggestion(c: _Context, reply: Reply) -> Events:
    """Adds the sister destination to ``reply`` when it is due (actions/suggestions.py);
    returns the slot event that remembers it."""
    destination = answers.suggestion_key(c.content, reply.about)
    is_due, times = suggestions.due(_suggested(c), destination, c.now)
    text = (
        answers.suggestion(c.content, reply.about, c.turn.language, times)
        if is_due and reply.about
        else ""
    )
    if not text or destination is None:
        return []
    reply.text = f"{reply.text}\n{text}"
    return [suggestions.remembered(_suggested(c), destination, times, c.now)]


def _suggested(c: _Context) -> suggestions.Suggested | None:
    return dict(c.turn.suggested) if c.turn.suggested else None


def answered(c: _Context, reply: Reply, *events: dict[str, Any]) -> Decision:
    """One reply, the sister destination after it when due."""
    return Decision([reply], [*with_suggestion(c, reply), *events])


def side_by_side(c: _Context, intent: str | None) -> Decision | None:
    """Two places set side by side ("Mutianyu or Badaling?"): the FAQ entry
    written for that comparison, else each one's passage on the topic asked
    (actions/comparison.py); None when the message sets no two places side by
    side, or the content has nothing to give for one of them."""
    text = c.turn.text
    if not text or text.startswith("/"):
        return None
    named = [
        comparison.Named(e.value, e.start, e.end)
        for e in c.turn.mentioned("place")
        if e.start is not None and e.end is not None
    ]
    pair = comparison.compared(c.content, text, named)
    if pair is None:
        return None
    replies = comparison.side_by_side(c.content, question_of(c, intent), pair, c.now)
    if not replies:
        return None
    # The sister destination once, after the last, for the first place named.
    replies[-1].about = pair[0]
    events = with_suggestion(c, replies[-1])
    # The place of the conversation: the first named (a follow-up "and the
    # price?" is then about it, and its answer says so by its heading).
    return Decision(replies, [*events, SlotSet("place", pair[0])])


def refuse(c: _Context, why: Why, button: dict[str, str] | None = None) -> Decision:
    """Nothing in the content answers: say what is covered, and whom to ask.

    ``why`` says what was lacking; ``button`` offers what the message looked
    like ("our offers"), one tap away. A covered place the message names is
    still kept for the next question ("we're heading to Badaling next week",
    then "is it crowded?"). After a second refusal in a row, a person is offered.
    """
    place = c.turn.place
    named = place_named(c)
    elsewhere = [e for e in c.turn.mentioned("place") if e.value not in c.content.places]
    language = c.turn.language
    if elsewhere and not named:
        # "how do I visit the Eiffel Tower": say which place we do not cover
        reply = answers.not_covered(c.content, elsewhere[0].typed, language, place)
    else:
        reply = answers.out_of_scope(c.content, language, named or place)
    reply.why = replace(why, rule=reply.why.rule, name=reply.why.name)
    if button:
        reply.buttons.append(button)
    decision = Decision([reply])
    decision.replies.extend(offer_after_refusals(c))
    decision.events = [SlotSet("place", named)] if named and named != place else []
    return decision


def not_covered(c: _Context, name: str) -> Decision:
    """A place the content does not cover, named: said so, and whom to ask."""
    reply = answers.not_covered(c.content, name, c.turn.language, c.turn.place)
    return Decision([reply, *offer_after_refusals(c)])


def offer_after_refusals(c: _Context) -> list[Reply]:
    """After a refusal: when the assistant refused the turn before too, the
    offer of a person follows. An answered turn in between resets the count,
    and so does an offer (the third refusal in a row adds none, the fourth does)."""
    if c.turn.intent in handoff.OFFERING_INTENTS or not c.turn.refused_before:
        return []
    return [_offer(c, Why("handoff_offered", reason=REFUSED_TWICE))]


def _offer(c: _Context, why: Why) -> Reply:
    language = c.turn.language
    office = handoff.office_of(c.content, c.offices, c.turn.place, language)
    text, button = handoff.offer(c.content, office, language)
    return Reply(text, [button], why=why)


# --- the actions' rules -----------------------------------------------------------


def greet(c: _Context) -> Decision:
    """The greeting, with a button per main destination and one for offers."""
    language = c.turn.language
    buttons = answers.destination_buttons(c.content, "ask_overview", language)
    buttons.append({"title": c.content.phrase("offers_button", language), "payload": "/ask_offers"})
    return Decision([Reply(c.content.phrase("greeting", language), buttons, why=Why("greeting"))])


def answer_place_asked(c: _Context) -> Decision:
    return answer_place(c, c.turn.intent or "ask_overview")


def answer_place(c: _Context, intent: str) -> Decision:
    """The answer to a place question (``intent`` one of answers.TOPIC_OF_INTENT)."""
    language = c.turn.language
    topic = answers.TOPIC_OF_INTENT.get(intent, "overview")
    compared = side_by_side(c, intent)
    if compared is not None:
        return compared
    target = answers.choose_place(
        c.content,
        _mentioned(c, "place"),
        [e.value for e in c.turn.mentioned("activity")],
        c.turn.place,
        intent,
    )
    # An FAQ question ("how cold is Chongli in January") gets the FAQ's
    # answer: a near copy of one whatever the place, a close one when the
    # entry is about this place's family (faq.decide); otherwise the topic.
    from_faq = faq_reply(c, intent, target.place_id)
    if from_faq is not None:
        return answered(c, from_faq)
    if target.uncovered_name:
        return not_covered(c, target.uncovered_name)
    # Grounded: the message names the place (or an activity), or it carries
    # words of the question kind ("and the price?" after Badaling), or it
    # follows up on the conversation's place with the meaning of the question
    # kind ("那怎么去？"); else the model's guess is not enough to answer.
    named = place_named(c) or c.turn.mentioned("activity")
    if not named and unfounded(c, intent) and not follows_up_in_kind(c, intent):
        rescued = refused_reply(c, intent)
        if rescued is not None:
            kept = [SlotSet("place", rescued.about)] if rescued.about else []
            return answered(c, rescued, *kept)
        return refuse(c, Why("out_of_scope", reason=NO_WORDS, words=topic))
    if target.place_id is None:
        return Decision([answers.which_place(c.content, intent, language)])
    # "is there a cable car?" about a place whose content never mentions one:
    # said so, rather than its general text (or another place's).
    for activity in c.turn.mentioned("activity"):
        if not answers.offers_activity(c.content, target.place_id, activity.value):
            reply = answers.activity_missing(c.content, target.place_id, activity.typed, language)
            return Decision([reply], [SlotSet("place", target.place_id)])
    # Several questions at once ("opening hours and ticket price?"): each
    # topic asked, one message each, up to three; the sister destination once.
    asked = grounding.kinds_asked(c.turn.text, (*answers.TOPIC_OF_INTENT, "contact_human"))
    kinds = (asked if intent in asked else [intent, *asked])[:MAX_QUESTIONS]
    decision = Decision(events=[SlotSet("place", target.place_id)])
    if len(kinds) == 1:
        # One question: the topic the intent asks, unless a passage of the
        # content answers it clearly better (actions/ranking.py).
        found = c.content.topic(target.place_id, topic)
        proposed = f"topic {found[0].id} {topic}" if found else None
        question = question_of(c, intent, target.place_id)
        # The intent's topic is the ranking's strongest signal for a place
        # question (evaluation.ranking_cv); another passage takes its place
        # only when the question asks a detail (winter, renting, children...)
        # that the topic's text never speaks of: a question across the cells.
        # The place's own passages only: "和北京远吗" after Jinshanling is about
        # Jinshanling, not the country-wide time difference that says "北京时间".
        missing = detail_missing(c, question, proposed)
        better = (
            ranked_reply(c, intent, proposed, target.place_id, own_place=True) if missing else None
        )
        if better is not None:
            reply, about = better
            reply.about = about or target.place_id
            decision.events += with_suggestion(c, reply)
            decision.replies.append(reply)
            return decision
        if missing:
            why = Why("detail_missing", place=target.place_id, topic=topic)
            decision.replies.append(Reply(missing, why=why))
    for number, kind in enumerate(kinds, start=1):
        if kind == "contact_human":
            reply = answers.contacts(c.content, target.place_id, language)
        else:
            reply = answers.place_answer(
                c.content, target.place_id, answers.TOPIC_OF_INTENT[kind], language, suggest=False
            )
        if number == len(kinds):
            reply.about = target.place_id
            decision.events += with_suggestion(c, reply)
        decision.replies.append(reply)
    return decision


def answer_location(c: _Context) -> Decision:
    """Where a place is: the place named, else the place of the conversation,
    when the message asks where (grounded like the other answers: a place
    named, a marker word of the question kind, or a word asking where); its
    coordinates and map links, and a map pin on the channels that show one."""
    intent = "ask_location"
    target = answers.choose_place(c.content, _mentioned(c, "place"), [], c.turn.place, intent)
    if target.uncovered_name:
        return not_covered(c, target.uncovered_name)
    asked = grounding.has_evidence(intent, c.turn.text) or location.asks_where(c.turn.text)
    if not place_named(c) and not asked:
        return refuse(c, Why("out_of_scope", reason=NO_WORDS, words="where"))
    if target.place_id is None:
        return Decision([answers.which_place(c.content, intent, c.turn.language)])
    # A short answer: no sister destination after it (it follows other answers).
    reply = location.location_answer(c.content, target.place_id, c.turn.language)
    return Decision([reply], [SlotSet("place", target.place_id)])


def thanks(c: _Context) -> Decision:
    """You're welcome (the domain's ``utter_thanks``); and the sister
    destination of the conversation's place, if it was not suggested yet (a
    natural point for it)."""
    sister = Reply("", why=Why("thanks", reason=SISTER), about=c.turn.place)
    events = with_suggestion(c, sister)
    replies = [Reply("", response="utter_thanks", why=Why("thanks"))]
    if sister.text.strip():
        sister.text = sister.text.strip()
        replies.append(sister)
    return Decision(replies, events)


def list_offers(c: _Context) -> Decision:
    """The travel offers valid today, for the place asked or all of them."""
    place_id = place_named(c)
    language = c.turn.language
    if not place_id and unfounded(c, "ask_offers"):
        button = {"title": c.content.phrase("offers_button", language), "payload": "/ask_offers"}
        return refuse(c, Why("out_of_scope", reason=NO_WORDS, words="offer"), button)
    replies = answers.offers(c.content, place_id, language, c.now)
    return Decision(replies, [SlotSet("place", place_id)] if place_id else [])


def list_events(c: _Context) -> Decision:
    """Races, festivals and fairs to come, at the place asked or everywhere."""
    place_id = place_named(c)
    language = c.turn.language
    text = c.turn.text
    named = answers.named_events([e for e in c.content.events if not e.is_over(c.now)], text)
    if not place_id and not named and unfounded(c, "ask_events"):
        button = {"title": c.content.phrase("events_button", language), "payload": "/ask_events"}
        return refuse(c, Why("out_of_scope", reason=NO_WORDS, words="event"), button)
    replies = answers.events(c.content, place_id, language, c.now, text)
    return Decision(replies, [SlotSet("place", place_id)] if place_id else [])


def contact(c: _Context) -> Decision:
    """How to reach a person: the tourism office of the place, or all of them."""
    language = c.turn.language
    named = place_named(c)
    if not named and unfounded(c, "contact_human"):
        button = {
            "title": c.content.phrase("contact_button", language),
            "payload": "/contact_human",
        }
        return refuse(c, Why("out_of_scope", reason=NO_WORDS, words="contact"), button)
    return Decision([answers.contacts(c.content, named or c.turn.place, language)])


def answer_faq(c: _Context) -> Decision:
    """A question of content/faq.yml (the model's ``faq`` intent): the closest
    entry's answer; when no entry is close, the place question it also looked
    like; else what the assistant covers and whom to ask."""
    compared = side_by_side(c, faq.FAQ_INTENT)
    if compared is not None:
        return compared
    from_faq = faq_reply(c, faq.FAQ_INTENT)
    if from_faq is not None:
        return answered(c, from_faq)
    # FAQ-like but no entry is close ("are there many places to hike
    # around Yanqing"): the place question it also looked like.
    second = runner_up_place_intent(c)
    if second:
        return answer_place(c, second)
    rescued = refused_reply(c, faq.FAQ_INTENT)
    if rescued is not None:
        return answered(c, rescued)
    return refuse(c, Why("out_of_scope", reason=NO_FAQ_ENTRY))


def out_of_scope(c: _Context) -> Decision:
    """A message about something the content does not cover (``out_of_scope``,
    or not understood: ``nlu_fallback``): what the assistant can help with and
    who can help with the rest. The model sometimes takes a question of the FAQ,
    asked in other words, for one of these: when an entry is that close
    (``faq.decide`` at the language's threshold), its answer is given instead."""
    intent = c.turn.intent
    if intent not in ("out_of_scope", "nlu_fallback"):  # e.g. Rasa's core fallback
        intent = "out_of_scope"
    compared = side_by_side(c, intent)
    if compared is not None:
        return compared
    from_faq = faq_reply(c, intent)
    if from_faq is not None:
        return answered(c, from_faq)
    # Not understood, but it names an activity after a place was named
    # ("can we take the cable car?" after Badaling): that activity there.
    if (
        intent == "nlu_fallback"
        and c.turn.mentioned("activity")
        and c.turn.place in c.content.places
    ):
        return answer_place(c, "ask_activities")
    # Not sure, but it names a place of ours and the model's first guess
    # is a question about places ("崇礼有啥玩的"): that question.
    second = runner_up_place_intent(c) if intent == "nlu_fallback" else None
    if second:
        return answer_place(c, second)
    rescued = refused_reply(c, intent)
    if rescued is not None:
        return answered(c, rescued)
    return refuse(c, Why("out_of_scope", reason=INTENT, intent=intent))


def offer_person(c: _Context) -> Decision:
    """A person can answer here (after the contacts, when a tourist asks for one)."""
    return Decision([_offer(c, Why("handoff_offered"))])


def request_person(c: _Context) -> Decision:
    """Someone is coming, or from when; the reply carries the hand-off for the
    channel core ({"handoff": {"place", "office"}})."""
    language = c.turn.language
    office = handoff.office_of(c.content, c.offices, c.turn.place, language)
    text = handoff.request(c.content, office, language, c.now)
    signal = {"handoff": {"place": c.turn.place or "", "office": office.id if office else ""}}
    return Decision([Reply(text, why=Why("handoff_requested"), signal=signal)])


RULES: dict[str, Callable[[_Context], Decision]] = {
    "action_greet": greet,
    "action_answer_place": answer_place_asked,
    "action_answer_location": answer_location,
    "action_thanks": thanks,
    "action_list_offers": list_offers,
    "action_list_events": list_events,
    "action_contact": contact,
    "action_answer_faq": answer_faq,
    "action_out_of_scope": out_of_scope,
    "action_offer_person": offer_person,
    "action_request_person": request_person,
}
