"""The website chat widget, driven in a real headless Chromium.

A real `rasa run` with the project's socket.io channel, the action server and
the demo site (web/serve.py) run as subprocesses on loopback; Playwright drives
Debian's Chromium (scripts/install-browser.sh installs both when missing).
"""

import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import requests
import socketio
from messaging_cases import FAQ_QUESTION, ODD_TEXTS, clear_replies, database_state, faq_answer
from playwright.sync_api import expect, sync_playwright

from bench.ports import free_port
from channels.formatting import EMPTY_TEXT_REPLY, FAILURE_REPLY
from conftest import BIN, ROOT, Stack, wait_for_http

WEB = ROOT / "web"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPLY_TIMEOUT_MS = 30_000
OPEN_CHAT = re.compile(r"^Open chat")
INJECTION = "<img src=x onerror=alert(1)>"
expect.set_options(timeout=REPLY_TIMEOUT_MS)


@pytest.fixture(scope="module")
def chat_stack(stack: Stack) -> Stack:
    """The shared stack, whose credentials carry the socket.io channel as deployed."""
    return stack


@pytest.fixture(scope="module")
def demo_url(chat_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("demo") / "serve.log"
    server = subprocess.Popen(
        [str(BIN / "python"), str(WEB / "serve.py"), "--port", str(port), "--rasa-url", chat_stack.url],
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, timeout=30, process=server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    subprocess.run([str(ROOT / "scripts" / "install-browser.sh")], cwd=ROOT, check=True, timeout=900)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=CHROMIUM_ARGS,
            timeout=60_000,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh visitor: its own localStorage, shared by the pages (tabs) it opens."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    yield context
    context.close()


class Chat:
    """The widget on one page, as a visitor sees and uses it."""

    def __init__(self, page, url: str | None = None):
        self.page = page
        if url:
            page.goto(url)
        self.log = page.get_by_role("log", name="Conversation")
        self.bot = self.log.locator(".msg.bot")
        self.user = self.log.locator(".msg.user")
        self.replies = self.log.get_by_role("group", name="Suggested replies")

    def open(self) -> "Chat":
        self.page.get_by_role("button", name=OPEN_CHAT).click()
        return self

    def wait_for_replies(self, before: int) -> list[str]:
        """Bot messages that arrived after the first `before`, once they stop coming."""
        expect(self.bot).not_to_have_count(before)
        count, deadline = -1, time.monotonic() + 10
        while count != self.bot.count() and time.monotonic() < deadline:
            count = self.bot.count()
            time.sleep(0.7)
        return [text.replace("\xa0", " ") for text in self.bot.all_inner_texts()[before:]]

    def ask(self, text: str) -> str:
        before = self.bot.count()
        self.page.get_by_label("Your message").fill(text)
        self.page.keyboard.press("Enter")
        return "\n".join(self.wait_for_replies(before))

    def click(self, button: str) -> str:
        return self.choose(self.replies.get_by_role("button", name=button, exact=True))

    def click_first(self) -> str:
        return self.choose(self.replies.get_by_role("button").first)

    def choose(self, button) -> str:
        before = self.bot.count()
        button.click()
        return "\n".join(self.wait_for_replies(before))


def test_visitor_is_greeted_asks_an_faq_clicks_a_button_and_keeps_history_after_reload(context, demo_url):
    chat = Chat(context.new_page(), demo_url).open()
    greeting = "\n".join(chat.wait_for_replies(0))
    assert re.search(r"\bhi\b|hello|welcome", greeting, re.I)
    expect(chat.replies.get_by_role("button")).not_to_have_count(0)

    answer = chat.click("Therapeutic vs regular massage")
    assert re.search(r"relax", answer, re.I) and re.search(r"pain|injur|tension", answer, re.I), answer
    expect(chat.user.last).to_have_text("You: Therapeutic vs regular massage")

    answer = chat.ask("Does insurance cover medical massage?")
    assert re.search(r"prescri", answer, re.I) and re.search(r"plan|insur", answer, re.I), answer

    shown = chat.log.locator(".msg").all_text_contents()
    chat.page.reload()
    expect(chat.log).to_be_visible()  # the panel stays open across the reload
    expect(chat.log.locator(".msg")).to_have_text(shown)
    assert chat.bot.count() >= 4

    ARTIFACTS.mkdir(exist_ok=True)
    chat.page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))


# What a visitor answers to each booking question: (question pattern, button to click or text to type).
BOOKING_ANSWERS = [
    (r"medical \(therapeutic\).*relaxation", ("click", "Medical / therapeutic")),
    (r"any technique", ("click", "Deep tissue")),
    (r"how long should the session", ("click", "60 min")),
    (r"street address|zip code", ("type", "8500 Sunset Blvd, West Hollywood 90069")),
    (r"these times are free|nearest free times", ("click", None)),  # the first offered time
    (r"when would you like the therapist", ("type", "next Tuesday at 11am")),
    (r"what name", ("type", "Jane Doe")),
    (r"mobile number", ("type", "(310) 555-0123")),
    (r"email address", ("type", "jane@example.com")),
    (r"text that number", ("click", "No texts")),  # asked on the web chat (actions/texts_consent.py)
    (r"get in: parking", ("type", "street parking, no pets")),
    (r"surgery|blood clot|fever|pregnant", ("click", "No")),
    (r"doctor prescribed", ("click", "Yes")),
    (r"shall i book it", ("click", "Yes, book it")),
]


def test_visitor_books_a_massage_in_the_widget(context, demo_url, chat_stack):
    chat = Chat(context.new_page(), demo_url).open()
    chat.wait_for_replies(0)
    said = chat.click("Book a massage")
    for _ in range(len(BOOKING_ANSWERS) + 4):
        if re.search(r"reference is WH-[0-9A-Z]{4,}", said):
            break
        question = chat.bot.last.inner_text()
        kind, answer = next(
            (reply for pattern, reply in BOOKING_ANSWERS if re.search(pattern, question, re.I)), (None, None)
        )
        assert kind, f"unexpected question in the booking: {said}"
        if kind == "type":
            said = chat.ask(answer)
        elif answer is None:
            said = chat.click_first()
        else:
            said = chat.click(answer)
    reference = re.search(r"WH-[0-9A-Z]{4,}", said)
    assert reference, said
    with closing(sqlite3.connect(chat_stack.workdir / "massage.db")) as db:
        row = db.execute(
            "SELECT client_name, status, conversation_id FROM bookings WHERE reference = ?", (reference.group(),)
        ).fetchone()
    session_id = chat.page.evaluate("localStorage.getItem('weho-chat:session')")
    assert row == ("Jane Doe", "confirmed", f"web:{session_id}")
    chat.page.reload()
    expect(chat.log).to_contain_text(reference.group())
    ARTIFACTS.mkdir(exist_ok=True)
    chat.page.screenshot(path=str(ARTIFACTS / "widget-booking.png"))


def test_visitor_searches_the_directory_and_opens_a_therapist(context, demo_url):
    chat = Chat(context.new_page(), demo_url).open()
    chat.wait_for_replies(0)
    results = chat.ask("Who does lymphatic drainage?")
    assert re.search(r"found \d+ therapists? for lymphatic drainage", results, re.I), results
    first = chat.replies.get_by_role("button").first
    name = first.inner_text().split(" · ")[0]
    details = chat.choose(first)
    assert name in details, details
    expect(chat.replies.get_by_role("button", name=f"Book with {name.split()[0]}")).to_be_visible()


def test_html_in_messages_is_shown_as_text(context, demo_url):
    page = context.new_page()
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    chat = Chat(page, demo_url).open()
    chat.wait_for_replies(0)
    chat.ask(INJECTION)
    expect(chat.user.last).to_have_text(f"You: {INJECTION}")
    assert chat.log.locator("img").count() == 0
    chat.page.reload()  # and again when rendered from the saved history
    expect(chat.user.last).to_have_text(f"You: {INJECTION}")
    assert chat.log.locator("img").count() == 0
    assert alerts == []


def test_bot_links_open_safely_and_bot_markup_is_text(context, demo_url):
    """Rendering of bot messages, fed straight to the widget's receive path in the browser."""
    chat = Chat(context.new_page(), demo_url).open()
    chat.wait_for_replies(0)
    before = chat.bot.count()
    chat.page.evaluate(
        """wehoChat._receive({
            text: "Map: https://example.com/map. <b>bold</b> [bad](javascript:alert(1)) [Book](http://example.com/book)",
            quick_replies: [{title: "<i>Yes</i>", payload: "/affirm"}],
        })"""
    )
    message = chat.bot.nth(before)
    expect(message).to_contain_text("<b>bold</b> [bad](javascript:alert(1))")
    links = message.get_by_role("link")
    expect(links).to_have_count(2)
    for link, href in zip(links.all(), ["https://example.com/map", "http://example.com/book"], strict=True):
        expect(link).to_have_attribute("href", href)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert message.locator("b").count() == 0
    expect(chat.log.get_by_role("button", name="<i>Yes</i>")).to_be_visible()


def test_another_tab_shows_the_same_conversation_and_its_replies(context, demo_url):
    first = Chat(context.new_page(), demo_url).open()
    first.wait_for_replies(0)
    second = Chat(context.new_page(), demo_url).open()
    expect(second.log.locator(".msg")).to_have_text(first.log.locator(".msg").all_text_contents())

    answer = second.ask("Should I tip my massage therapist?")
    assert re.search(r"tip", answer, re.I), answer
    # The first tab shows the question and the answer without a reload.
    expect(first.user.last).to_have_text("You: Should I tip my massage therapist?")
    expect(first.bot.last).to_have_text(second.bot.last.inner_text())


def test_starting_over_forgets_the_conversation_in_every_tab(context, demo_url):
    first = Chat(context.new_page(), demo_url).open()
    first.wait_for_replies(0)
    first.ask("Should I tip my massage therapist?")
    second = Chat(context.new_page(), demo_url).open()
    expect(second.user).to_have_count(1)

    first.page.get_by_role("button", name="Start a new conversation").click()
    expect(first.user).to_have_count(0)
    expect(first.bot).to_have_count(1)  # a fresh greeting
    expect(second.user).to_have_count(0)
    # The other tab carries on in the new conversation.
    assert re.search(r"prescri", second.ask("Does insurance cover medical massage?"), re.I)
    second.page.reload()
    expect(second.user).to_have_text(["You: Does insurance cover medical massage?"])


def test_keyboard_and_screen_reader_use(context, demo_url):
    page = context.new_page()
    chat = Chat(page, demo_url)
    launcher = page.get_by_role("button", name=OPEN_CHAT)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name=re.compile("assistant", re.I))).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_focused()
    expect(chat.log).to_have_attribute("aria-live", "polite")
    chat.wait_for_replies(0)

    page.keyboard.press("Tab")  # to the send button
    expect(page.get_by_role("button", name="Send message")).to_be_focused()
    page.keyboard.press("Escape")
    expect(chat.log).to_be_hidden()
    expect(page.get_by_role("button", name=OPEN_CHAT)).to_be_focused()


def test_phone_screen_gets_a_full_screen_chat(browser, demo_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    try:
        chat = Chat(context.new_page(), demo_url)
        chat.page.get_by_role("button", name=OPEN_CHAT).tap()
        chat.wait_for_replies(0)
        panel = chat.page.get_by_role("dialog").bounding_box()
        assert panel == {"x": 0, "y": 0, "width": 390, "height": 844}
        expect(chat.page.get_by_label("Your message")).to_be_in_viewport()
        ARTIFACTS.mkdir(exist_ok=True)
        chat.page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    finally:
        context.close()


def test_widget_reconnects_after_the_server_restarts(context, demo_url, chat_stack):
    """A question asked while the server is down is answered once it is back."""
    chat = Chat(context.new_page(), demo_url).open()
    chat.wait_for_replies(0)
    status = chat.page.get_by_role("dialog").get_by_role("status").first
    typing = chat.page.locator(".typing")

    chat_stack.rasa.kill()  # a crash: the server says no goodbye to the widget
    chat_stack.rasa.wait(timeout=10)
    expect(status).to_have_text(re.compile("reconnecting|can't reach", re.I))
    before = chat.bot.count()
    chat.page.get_by_label("Your message").fill("How much pressure does a medical massage use?")
    chat.page.keyboard.press("Enter")
    expect(typing).to_be_visible()
    expect(typing).to_contain_text("is typing")

    chat_stack.start_rasa()
    answer = "\n".join(chat.wait_for_replies(before))
    assert re.search(r"pressure", answer, re.I), answer
    expect(typing).to_be_hidden()
    expect(status).not_to_have_text(re.compile("reconnecting|can't reach|connecting", re.I))


def socket_client(url: str) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    # Polling: python-engineio's websocket client needs a newer aiohttp than Rasa pins.
    sio.connect(url, transports=["polling"], wait_timeout=10)
    return sio


def close(*clients: socketio.Client) -> None:
    for sio in clients:
        sio.eio.disconnect(abort=True)  # do not sit out the server's pending long-poll


def wait_for_session(sio: socketio.Client, data) -> str:
    confirmed = []
    sio.on("session_confirm", confirmed.append)
    sio.emit("session_request", data)
    deadline = time.monotonic() + 10
    while not confirmed and time.monotonic() < deadline:
        time.sleep(0.1)
    assert confirmed, "no session_confirm"
    return confirmed[0]


def collect_replies(sio: socketio.Client) -> list:
    replies = []
    sio.on("bot_uttered", replies.append)
    return replies


def wait_for(replies: list, count: int = 1, timeout: float = 30) -> list:
    deadline = time.monotonic() + timeout
    while len(replies) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return replies


def test_session_request_joins_the_session_and_rejects_odd_ids(chat_stack):
    """Two sockets asking for one session both get its replies (Rasa 3.6.21 lost them)."""
    first, second = socket_client(chat_stack.url), socket_client(chat_stack.url)
    try:
        session_id = wait_for_session(first, {"session_id": None})
        assert re.fullmatch(r"[0-9a-f]{32}", session_id)
        for odd in ({"session_id": {"$ne": 1}}, {"session_id": "x" * 5000}, "not a dict", None):
            assert wait_for_session(second, odd) not in (session_id, "x" * 5000)
        # A socket is in the session it joined last (channels.socketio): the second joins now.
        assert wait_for_session(second, {"session_id": session_id}) == session_id

        replies = collect_replies(second)
        first.emit("user_uttered", {"message": "hello", "session_id": session_id})
        assert wait_for(replies) and replies[0].get("text"), "the second socket of the session got no reply"
    finally:
        close(first, second)


def test_odd_socket_messages_are_answered_or_ignored_without_breaking_the_session(chat_stack):
    sio = socket_client(chat_stack.url)
    try:
        session_id = wait_for_session(sio, {"session_id": None})
        replies = collect_replies(sio)
        # Not text from this session (the widget never sends such): ignored.
        ignored = [
            "just a string", 42, [1, 2], None, {"session_id": session_id},
            *({"message": odd, "session_id": session_id} for odd in ({"text": "hi"}, 42, ["hi"], None)),
            {"message": "hi"}, {"message": "hi", "session_id": {"$ne": 1}}, {"message": "hi", "session_id": "x" * 5000},
        ]  # fmt: skip
        for odd in ignored:
            sio.emit("user_uttered", odd)
        sio.emit("user_uttered", {"message": " \u200b\t ", "session_id": session_id})
        assert wait_for(replies)[0]["text"] == EMPTY_TEXT_REPLY
        sio.emit("user_uttered", {"message": "hello", "session_id": session_id, "metadata": "{not json"})
        assert len(wait_for(replies, 2)) == 2 and replies[1].get("text"), replies

        database = database_state(chat_stack)
        for name, text in ODD_TEXTS.items():
            before = len(replies)
            sio.emit("user_uttered", {"message": text, "session_id": session_id})
            assert len(wait_for(replies, before + 1)) > before, f"no reply to the {name} text"
        # The session goes on: its next question gets the right answer.
        before = len(replies)
        sio.emit("user_uttered", {"message": FAQ_QUESTION, "session_id": session_id})
        deadline = time.monotonic() + 30
        while not any(faq_answer("insurance") in reply.get("text", "") for reply in replies[before:]):
            assert time.monotonic() < deadline, replies[before:]
            time.sleep(0.1)
        said = [reply.get("text", "") for reply in replies]
        assert clear_replies(said) and FAILURE_REPLY not in said, said
        assert database_state(chat_stack) == database, "the bookings database changed"
    finally:
        close(sio)


def test_demo_page_embeds_the_widget_with_one_script_tag(demo_url, chat_stack):
    page = requests.get(demo_url, timeout=10)
    assert page.status_code == 200
    scripts = re.findall(r"<script\b[^>]*>", page.text)
    assert scripts == [
        f'<script src="/widget.js" data-socket-url="{chat_stack.url}" data-title="WeHo Massage assistant" defer>'
    ]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    widget = requests.get(demo_url + "widget.js", timeout=10)
    assert widget.status_code == 200 and widget.headers["Content-Type"].startswith("text/javascript")


def test_widget_build_is_reproducible_from_the_lockfile(tmp_path: Path):
    """dist/widget.js is what `npm ci && npm run build` makes from the sources."""
    if shutil.which("npm") is None:
        pytest.fail("npm is needed to build the widget (Debian: apt-get install -y npm)")
    committed = (WEB / "dist" / "widget.js").read_bytes()
    if not (WEB / "node_modules" / ".package-lock.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, timeout=300)
    subprocess.run(["npm", "test"], cwd=WEB, check=True, timeout=120, capture_output=True)
    subprocess.run(["npm", "run", "build"], cwd=WEB, check=True, timeout=120, capture_output=True)
    assert (WEB / "dist" / "widget.js").read_bytes() == committed, "web/dist/widget.js is stale: run npm run build"
