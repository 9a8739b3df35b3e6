"""The rasa-sdk actions: read the question from the tracker, answer from content/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

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
from curated import live
from language import DEFAULT, LANGUAGES, meaning

DEFAULT_LANGUAGE = DEFAULT


# At most this many questions of one message are answered.
MAX_QUESTIONS = 3


def language_of(tracker: Tracker) -> str:
    """The reply language decided by the channel (slot, else message metadata)."""
    language = tracker.get_slot("language")
    if language not in LANGUAGES:
        metadata = tracker.latest_message.get("metadata") or {}
        language = metadata.get("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def mentioned(tracker: Tracker, entity: str) -> list[dict[str, str]]:
    """Entities of one type in the latest message: canonical value and typed text."""
    text = tracker.latest_message.get("text") or ""
    found = []
    for e in tracker.latest_message.get("entities", []):
        if e.get("entity") != entity:
            continue
        start, end = e.get("start"), e.get("end")
        typed = text[start:end] if isinstance(start, int) and isinstance(end, int) and text else ""
        found.append({"value": str(e.get("value")), "text": typed or str(e.get("value"))})
    return found


def faq_reply(
    tracker: Tracker, content, language: str, intent: str | None, place_id: str | None = None
) -> Reply | None:
    """The FAQ entry's answer when ``faq.decide`` says the message is one of its questions."""
    text = tracker.latest_message.get("text") or ""
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence")
    match = faq.decide(content, text, language, intent, place_id, confidence=confidence)
    if match is None:
        return None
    # "What is the 5 day forecast?": the words of an entry, but nearest in
    # meaning to an out-of-scope example (or to none), and no place named.
    if not place_named(tracker, content) and grounding.far_from_the_content(
        tracker.latest_message.get("intent")
    ):
        return None
    better = ranked_reply(tracker, content, language, intent, f"faq {match.entry.id}", place_id)
    if better is not None:
        return better[0]
    reply = answers.faq_answer(content, match.entry, language, suggest=False)
    reply.why = f"faq {match.entry.id} similarity {match.score:.2f}"
    reply.about = match.entry.place
    return reply


def refused_reply(tracker: Tracker, content, language: str, intent: str | None) -> Reply | None:
    """A passage that answers what the pipeline would refuse ("雪具可以租吗"
    after La Féclaz): about a place, speaking of the detail asked (ranking.answers_refused)."""
    found = ranked_reply(tracker, content, language, intent, None)
    return found[0] if found else None


def text_of(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def unfounded(tracker: Tracker, intent: str) -> bool:
    """No evidence in the message for an answer of ``intent`` from the content:
    none of its marker words, or its nearest training example (by meaning) is
    out of scope or not close (actions/grounding.py). Called when it names no place."""
    return not grounding.has_evidence(intent, text_of(tracker)) or (
        grounding.far_from_the_content(tracker.latest_message.get("intent"))
    )


def place_named(tracker: Tracker, content) -> str | None:
    """The place of content/ the latest message names, if any: the most
    precise one when it names a place and a larger one it is within
    ("le Brévent, à Chamonix" is about the Brévent)."""
    asked = [m["value"] for m in mentioned(tracker, "place") if m["value"] in content.places]
    return answers.most_precise(content, asked)


def question_of(
    tracker: Tracker, content, language: str, intent: str | None, place_id: str | None = None
) -> ranking.Question:
    """The turn as the ranking reads it (actions/ranking.py): its text, intent
    and confidence, the place named (else ``place_id``, else the
    conversation's) and the message's sentence vector that Rasa sent along."""
    parsed = tracker.latest_message.get("intent") or {}
    nearest = parsed.get("nearest_example")
    vector = meaning.unpack(nearest.get("vector")) if isinstance(nearest, dict) else None
    named = place_named(tracker, content)
    place = named or place_id or tracker.get_slot("place")
    return ranking.Question(
        text=text_of(tracker),
        language=language,
        intent=intent,
        confidence=float(parsed.get("confidence") or 0.0),
        topic=answers.TOPIC_OF_INTENT.get(intent or ""),
        place=place if place in content.places else None,
        named=bool(named),
        near_the_content=isinstance(nearest, dict) and not grounding.far_from_the_content(parsed),
        vector=vector,
    )


def ranked_reply(
    tracker: Tracker, content, language: str, intent: str | None, proposed: str | None,
    place_id: str | None = None,
) -> tuple[Reply, str | None] | None:  # fmt: skip
    """The passage that answers better than the pipeline's ``proposed`` one
    (a passage id; None: the pipeline refused), with the place it is about,
    followed by those close behind it (ranking.close_behind); None to keep the
    pipeline's answer."""
    if not text_of(tracker) or text_of(tracker).startswith("/"):
        return None
    question = question_of(tracker, content, language, intent, place_id)
    # The weights were chosen with the message's meaning: without its vector
    # (a button, a test's tracker) or before the passages are encoded (the
    # first seconds after a start), the pipeline's answer stands.
    if question.vector is None or not retrieval.index_of(content).meaning_ready():
        return None
    now = dt.datetime.now(dt.timezone.utc)
    ranked = ranking.rank(content, question, now, proposed)
    if not ranked:
        return None
    best: ranking.Ranked | None = ranked[0]
    if proposed is None:
        best = ranking.answers_refused(content, question, ranked)
    if best is None:
        return None
    # The first not clearly ahead: the passages close behind it too (ranking.MARGIN).
    behind = ranking.close_behind(content, question, ranked, refused=proposed is None)
    if best.passage.id == proposed and not behind:
        return None
    reply = answers.passage_reply(content, best.passage, language, now)
    missing = detail_missing(content, question, best.passage.id)
    if missing:
        reply.text = f"{missing}\n{reply.text}"
    reply.why = (
        f"{reply.why} ranked {best.score:.2f} (words {best.lexical:.2f}, meaning "
        f"{best.meaning:.2f}) over {proposed or 'a refusal'}"
    )
    for other in behind:
        reply.text = (
            f"{reply.text}\n{answers.passage_reply(content, other.passage, language, now).text}"
        )
        reply.why = f"{reply.why}; close behind: {other.passage.id} {other.score:.2f}"
    return reply, best.passage.place


def detail_missing(content, question: ranking.Question, passage_id: str | None) -> str:
    """ "I don't have that detail" when the question asks a qualifier (winter,
    renting...) that the passage answered never speaks of."""
    from actions.passages import passages_of

    asked = question.qualifiers
    if not asked or question.place is None or passage_id is None:
        return ""
    passage = next((p for p in passages_of(content) if p.id == passage_id), None)
    if passage is None or asked & passage.qualifiers:
        return ""
    return content.phrase(
        "detail_missing",
        question.language,
        place=content.places[question.place].name[question.language],
        contact=answers.contact_details(content, question.place, question.language),
    )


def places_named(tracker: Tracker) -> list[comparison.Named]:
    """The place entities of the latest message with where they stand in it."""
    found = []
    for e in tracker.latest_message.get("entities", []):
        start, end = e.get("start"), e.get("end")
        if e.get("entity") == "place" and isinstance(start, int) and isinstance(end, int):
            found.append(comparison.Named(str(e.get("value")), start, end))
    return found


def side_by_side(
    dispatcher: CollectingDispatcher, tracker: Tracker, content, language: str, intent: str | None
) -> list[dict[str, Any]] | None:
    """Two places set side by side ("Mutianyu or Badaling?"): the FAQ entry
    written for that comparison, else each one's passage on the topic asked
    (actions/comparison.py); None when the message sets no two places side by
    side, or the content has nothing to give for one of them."""
    text = text_of(tracker)
    if not text or text.startswith("/"):
        return None
    pair = comparison.compared(content, text, places_named(tracker))
    if pair is None:
        return None
    question = question_of(tracker, content, language, intent)
    now = dt.datetime.now(dt.timezone.utc)
    replies = comparison.side_by_side(content, question, pair, now)
    if not replies:
        return None
    # The sister destination once, after the last, for the first place named.
    replies[-1].about = pair[0]
    events = with_suggestion(tracker, content, replies[-1], language)
    for reply in replies:
        send(dispatcher, reply)
    # The place of the conversation: the first named (a follow-up "and the
    # price?" is then about it, and its answer says so by its heading).
    return [*events, SlotSet("place", pair[0])]


def runner_up_place_intent(tracker: Tracker, content) -> str | None:
    """The model's second choice when it is a place question about a place we
    cover that the message names; else None."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    others = [r.get("name") for r in ranking if r.get("name") not in faq.FAQ_INTENTS]
    if others and others[0] in answers.TOPIC_OF_INTENT and place_named(tracker, content):
        return others[0]
    return None


def with_suggestion(tracker: Tracker, content, reply: Reply, language: str) -> list[dict[str, Any]]:
    """Adds the sister destination to ``reply`` when it is due (actions/suggestions.py);
    returns the slot event that remembers it."""
    destination = answers.suggestion_key(content, reply.about)
    now = dt.datetime.now(dt.timezone.utc)
    suggested = tracker.get_slot("suggested")
    is_due, times = suggestions.due(suggested, destination, now)
    text = (
        answers.suggestion(content, reply.about, language, times) if is_due and reply.about else ""
    )
    if not text or destination is None:
        return []
    reply.text = f"{reply.text}\n{text}"
    return [suggestions.remembered(suggested, destination, times, now)]


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    # ``why`` travels in the bot message's metadata (Rasa's tracker store), for
    # the staff review app; tourists never see it.
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, why=reply.why)


class ActionGreet(Action):
    """The greeting, with a button per main destination and one for offers."""

    def name(self) -> str:
        return "action_greet"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = live.current()
        language = language_of(tracker)
        buttons = answers.destination_buttons(content, "ask_overview", language)
        buttons.append(
            {"title": content.phrase("offers_button", language), "payload": "/ask_offers"}
        )
        send(dispatcher, Reply(content.phrase("greeting", language), buttons))
        return []


class ActionAnswerPlace(Action):
    """Overview, directions, prices, hours, best time or activities of a place."""

    def name(self) -> str:
        return "action_answer_place"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "ask_overview"
        return answer_place(dispatcher, tracker, live.current(), intent)


def answer_place(
    dispatcher: CollectingDispatcher, tracker: Tracker, content, intent: str
) -> list[dict[str, Any]]:
    """The answer to a place question (``intent`` one of answers.TOPIC_OF_INTENT)."""
    language = language_of(tracker)
    topic = answers.TOPIC_OF_INTENT.get(intent, "overview")
    conversation_place: str | None = tracker.get_slot("place")
    compared = side_by_side(dispatcher, tracker, content, language, intent)
    if compared is not None:
        return compared
    target = answers.choose_place(
        content,
        mentioned(tracker, "place"),
        [a["value"] for a in mentioned(tracker, "activity")],
        conversation_place,
        intent,
    )
    # An FAQ question ("how cold is Chongli in January") gets the FAQ's
    # answer: a near copy of one whatever the place, a close one when the
    # entry is about this place's family (faq.decide); otherwise the topic.
    from_faq = faq_reply(tracker, content, language, intent, target.place_id)
    if from_faq is not None:
        events = with_suggestion(tracker, content, from_faq, language)
        send(dispatcher, from_faq)
        return events
    if target.uncovered_name:
        send(
            dispatcher,
            answers.not_covered(content, target.uncovered_name, language, conversation_place),
        )
        handoff.offer_after_refusals(dispatcher, tracker)
        return []
    # Grounded: the message names the place (or an activity), or it carries
    # words of the question kind ("and the price?" after Badaling); else the
    # model's guess is not enough to answer from the content.
    named = place_named(tracker, content) or mentioned(tracker, "activity")
    if not named and unfounded(tracker, intent):
        rescued = refused_reply(tracker, content, language, intent)
        if rescued is not None:
            events = with_suggestion(tracker, content, rescued, language)
            send(dispatcher, rescued)
            return events + ([SlotSet("place", rescued.about)] if rescued.about else [])
        return refuse(dispatcher, tracker, content, language, reason=f"no place or {topic} words")
    if target.place_id is None:
        send(dispatcher, answers.which_place(content, intent, language))
        return []
    # "is there a cable car?" about a place whose content never mentions one:
    # said so, rather than its general text (or another place's).
    for activity in mentioned(tracker, "activity"):
        if not answers.offers_activity(content, target.place_id, activity["value"]):
            send(
                dispatcher,
                answers.activity_missing(content, target.place_id, activity["text"], language),
            )
            return [SlotSet("place", target.place_id)]
    # Several questions at once ("opening hours and ticket price?"): each
    # topic asked, one message each, up to three; the sister destination once.
    asked = grounding.kinds_asked(text_of(tracker), (*answers.TOPIC_OF_INTENT, "contact_human"))
    kinds = (asked if intent in asked else [intent, *asked])[:MAX_QUESTIONS]
    events = [SlotSet("place", target.place_id)]
    if len(kinds) == 1:
        # One question: the topic the intent asks, unless a passage of the
        # content answers it clearly better (actions/ranking.py).
        found = content.topic(target.place_id, topic)
        proposed = f"topic {found[0].id} {topic}" if found else None
        question = question_of(tracker, content, language, intent, target.place_id)
        # The intent's topic is the ranking's strongest signal for a place
        # question (evaluation.ranking_cv); another passage takes its place
        # only when the question asks a detail (winter, renting, children...)
        # that the topic's text never speaks of: a question across the cells.
        crosses = bool(detail_missing(content, question, proposed))
        better = (
            ranked_reply(tracker, content, language, intent, proposed, target.place_id)
            if crosses
            else None
        )
        if better is not None:
            reply, about = better
            reply.about = about or target.place_id
            events += with_suggestion(tracker, content, reply, language)
            send(dispatcher, reply)
            return events
        missing = detail_missing(content, question, proposed)
        if missing:
            send(dispatcher, Reply(missing, why=f"detail_missing {target.place_id}"))
    for number, kind in enumerate(kinds, start=1):
        if kind == "contact_human":
            reply = answers.contacts(content, target.place_id, language)
        else:
            topic_of_kind = answers.TOPIC_OF_INTENT[kind]
            reply = answers.place_answer(
                content, target.place_id, topic_of_kind, language, suggest=False
            )
        if number == len(kinds):
            reply.about = target.place_id
            events += with_suggestion(tracker, content, reply, language)
        send(dispatcher, reply)
    return events


class ActionAnswerLocation(Action):
    """Where a place is ("c'est où ?", "在哪里？"): its coordinates and map links,
    and a map pin on the channels that show one (actions/location.py)."""

    def name(self) -> str:
        return "action_answer_location"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return answer_location(dispatcher, tracker, live.current())


def answer_location(
    dispatcher: CollectingDispatcher, tracker: Tracker, content
) -> list[dict[str, Any]]:
    """The place named, else the place of the conversation, when the message
    asks where (grounded like the other answers: a place named, a marker word
    of the question kind, or a word asking where)."""
    language = language_of(tracker)
    conversation_place: str | None = tracker.get_slot("place")
    intent = "ask_location"
    target = answers.choose_place(
        content, mentioned(tracker, "place"), [], conversation_place, intent
    )
    if target.uncovered_name:
        reply = answers.not_covered(content, target.uncovered_name, language, conversation_place)
        send(dispatcher, reply)
        handoff.offer_after_refusals(dispatcher, tracker)
        return []
    text = text_of(tracker)
    asked = grounding.has_evidence(intent, text) or location.asks_where(text)
    if not place_named(tracker, content) and not asked:
        return refuse(dispatcher, tracker, content, language, reason="no place or where words")
    if target.place_id is None:
        send(dispatcher, answers.which_place(content, intent, language))
        return []
    # A short answer: no sister destination after it (it follows other answers).
    send_with_pin(dispatcher, location.location_answer(content, target.place_id, language))
    return [SlotSet("place", target.place_id)]


def send_with_pin(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """``send``, and the reply's map pin as a custom payload for Rasa's channels."""
    if reply.pin is None:
        send(dispatcher, reply)
        return
    latitude, longitude = reply.pin
    dispatcher.utter_message(
        text=reply.text,
        buttons=reply.buttons or None,
        json_message={"location": {"latitude": latitude, "longitude": longitude}},
        why=reply.why,
    )


class ActionThanks(Action):
    """You're welcome; and the sister destination of the conversation's place,
    if it was not suggested yet (a natural point for it)."""

    def name(self) -> str:
        return "action_thanks"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = live.current()
        language = language_of(tracker)
        reply = Reply("", why="thanks")
        reply.about = tracker.get_slot("place")
        events = with_suggestion(tracker, content, reply, language)
        dispatcher.utter_message(response="utter_thanks")
        if reply.text.strip():
            send(dispatcher, Reply(reply.text.strip(), why="thanks: sister destination"))
        return events


class ActionListOffers(Action):
    """The travel offers valid today, for the place asked or all of them."""

    def name(self) -> str:
        return "action_list_offers"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = live.current()
        place_id = place_named(tracker, content)
        language = language_of(tracker)
        if not place_id and unfounded(tracker, "ask_offers"):
            button = {"title": content.phrase("offers_button", language), "payload": "/ask_offers"}
            return refuse(dispatcher, tracker, content, language, "no place or offer words", button)
        now = dt.datetime.now(dt.timezone.utc)
        for reply in answers.offers(content, place_id, language, now):
            send(dispatcher, reply)
        return [SlotSet("place", place_id)] if place_id else []


class ActionListEvents(Action):
    """Races, festivals and fairs to come, at the place asked or everywhere."""

    def name(self) -> str:
        return "action_list_events"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = live.current()
        place_id = place_named(tracker, content)
        language = language_of(tracker)
        now = dt.datetime.now(dt.timezone.utc)
        text = text_of(tracker)
        named = answers.named_events([e for e in content.events if not e.is_over(now)], text)
        if not place_id and not named and unfounded(tracker, "ask_events"):
            button = {"title": content.phrase("events_button", language), "payload": "/ask_events"}
            return refuse(dispatcher, tracker, content, language, "no place or event words", button)
        for reply in answers.events(content, place_id, language, now, text):
            send(dispatcher, reply)
        return [SlotSet("place", place_id)] if place_id else []


class ActionContact(Action):
    """How to reach a person: the tourism office of the place, or all of them."""

    def name(self) -> str:
        return "action_contact"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = live.current()
        language = language_of(tracker)
        named = place_named(tracker, content)
        if not named and unfounded(tracker, "contact_human"):
            button = {
                "title": content.phrase("contact_button", language),
                "payload": "/contact_human",
            }
            return refuse(
                dispatcher, tracker, content, language, "no place or contact words", button
            )
        send(dispatcher, answers.contacts(content, named or tracker.get_slot("place"), language))
        return []


class ActionAnswerFaq(Action):
    """A question of content/faq.yml (the model's ``faq`` intent): the closest
    entry's answer; when no entry is close, the place question it also looked
    like; else what the assistant covers and whom to ask."""

    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = live.current()
        language = language_of(tracker)
        compared = side_by_side(dispatcher, tracker, content, language, faq.FAQ_INTENT)
        if compared is not None:
            return compared
        from_faq = faq_reply(tracker, content, language, faq.FAQ_INTENT)
        if from_faq is not None:
            events = with_suggestion(tracker, content, from_faq, language)
            send(dispatcher, from_faq)
            return events
        # FAQ-like but no entry is close ("are there many places to hike
        # around Yanqing"): the place question it also looked like.
        second = runner_up_place_intent(tracker, content)
        if second:
            return answer_place(dispatcher, tracker, content, second)
        rescued = refused_reply(tracker, content, language, faq.FAQ_INTENT)
        if rescued is not None:
            events = with_suggestion(tracker, content, rescued, language)
            send(dispatcher, rescued)
            return events
        return refuse(dispatcher, tracker, content, language, "faq: no entry close enough")


class ActionOutOfScope(Action):
    """A message about something the content does not cover (``out_of_scope``,
    or not understood: ``nlu_fallback``): what the assistant can help with and
    who can help with the rest. The model sometimes takes a question of the FAQ,
    asked in other words, for one of these: when an entry is that close
    (``faq.decide`` at the language's threshold), its answer is given instead."""

    def name(self) -> str:
        return "action_out_of_scope"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = live.current()
        language = language_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in ("out_of_scope", "nlu_fallback"):  # e.g. Rasa's core fallback
            intent = "out_of_scope"
        compared = side_by_side(dispatcher, tracker, content, language, intent)
        if compared is not None:
            return compared
        from_faq = faq_reply(tracker, content, language, intent)
        if from_faq is not None:
            events = with_suggestion(tracker, content, from_faq, language)
            send(dispatcher, from_faq)
            return events
        # Not understood, but it names an activity after a place was named
        # ("can we take the cable car?" after Badaling): that activity there.
        if (
            intent == "nlu_fallback"
            and mentioned(tracker, "activity")
            and tracker.get_slot("place") in content.places
        ):
            return answer_place(dispatcher, tracker, content, "ask_activities")
        # Not sure, but it names a place of ours and the model's first guess
        # is a question about places ("崇礼有啥玩的"): that question.
        second = runner_up_place_intent(tracker, content) if intent == "nlu_fallback" else None
        if second:
            return answer_place(dispatcher, tracker, content, second)
        rescued = refused_reply(tracker, content, language, intent)
        if rescued is not None:
            events = with_suggestion(tracker, content, rescued, language)
            send(dispatcher, rescued)
            return events
        return refuse(dispatcher, tracker, content, language, f"intent {intent}")


def refuse(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    content,
    language: str,
    reason: str,
    button: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Nothing in the content answers: say what is covered, and whom to ask.

    ``button`` offers what the message looked like ("our offers"), one tap
    away. A covered place the message names is still kept for the next
    question ("we're heading to Badaling next week", then "is it crowded?").
    """
    place = tracker.get_slot("place")
    named = place_named(tracker, content)
    elsewhere = [m for m in mentioned(tracker, "place") if m["value"] not in content.places]
    if (
        elsewhere and not named
    ):  # "how do I visit the Eiffel Tower": say which place we do not cover
        reply = answers.not_covered(content, elsewhere[0]["text"], language, place)
    else:
        reply = answers.out_of_scope(content, language, named or place)
    reply.why = f"{reply.why}: {reason}"
    if button:
        reply.buttons.append(button)
    send(dispatcher, reply)
    handoff.offer_after_refusals(dispatcher, tracker)  # the second refusal in a row
    return [SlotSet("place", named)] if named and named != place else []
