"""Telegram channel: Rasa's, with a configurable API host and Telegram's secret token checked.

credentials.yml:

    channels.telegram.TelegramInput:
      access_token: ${TELEGRAM_ACCESS_TOKEN}   # from @BotFather
      secret_token: ${TELEGRAM_SECRET_TOKEN}   # 1-256 of A-Z a-z 0-9 _ -
      webhook_url: ${TELEGRAM_WEBHOOK_URL}     # public https URL of /webhooks/telegram/webhook
      api_base: https://api.telegram.org       # optional
"""

import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Tuple

from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.formatting import dig, json_object, platform_id, read_text, send_failure_reply, split_text
from channels.native_recipients import NativeRecipient
from massage.conversation_ids import namespaced

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
MAX_CALLBACK_DATA_BYTES = 64
# More buttons than this, or a long title, and the keyboard gets one button per row.
MAX_BUTTONS_PER_ROW = 3
MAX_TITLE_IN_ROW = 20
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_START_COMMAND = re.compile(r"^/start(@\w+)?(\s|$)")


class TelegramOutput(NativeRecipient, RasaTelegramOutput):
    """Sends replies through the Bot API at `api_base`, split to Telegram's length limit."""

    def __init__(self, access_token: str, api_base: str = DEFAULT_API_BASE) -> None:
        # Rasa's constructor cannot pass a server, so initialise the aiogram Bot directly.
        super(RasaTelegramOutput, self).__init__(
            access_token, server=TelegramAPIServer.from_base(api_base)
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_text(text, MAX_TEXT):
            await self.send_message(recipient_id, chunk)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends the text with an inline keyboard under its last part."""
        *leading, last = split_text(text, MAX_TEXT) or [""]
        for chunk in leading:
            await self.send_message(recipient_id, chunk)
        await self.send_message(recipient_id, last, reply_markup=inline_keyboard(buttons))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def set_secret_webhook(self, url: str, secret_token: str) -> bool:
        # aiogram 2 predates `secret_token`, so call the Bot API method directly.
        return await self.request(
            "setWebhook",
            {"url": url, "secret_token": secret_token, "allowed_updates": '["message", "callback_query"]'},
        )


def inline_keyboard(buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup:
    """Link buttons open their URL; the others send their payload back when tapped."""
    keys = [_inline_button(button) for button in buttons]
    markup = InlineKeyboardMarkup()
    one_row = len(keys) <= MAX_BUTTONS_PER_ROW and all(
        len(button["title"]) <= MAX_TITLE_IN_ROW for button in buttons
    )
    if one_row:
        markup.row(*keys)
    else:
        for key in keys:
            markup.row(key)
    return markup


def _inline_button(button: Dict[str, Any]) -> InlineKeyboardButton:
    if button.get("url"):
        return InlineKeyboardButton(button["title"], url=button["url"])
    data = button["payload"]
    if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
        # Telegram refuses longer callback data; the title still reads as the same request.
        logger.warning("Button payload over %d bytes; sending its title instead.", MAX_CALLBACK_DATA_BYTES)
        data = button["title"].encode("utf-8")[:MAX_CALLBACK_DATA_BYTES].decode("utf-8", "ignore")
    return InlineKeyboardButton(button["title"], callback_data=data)


def update_id(update: Dict[str, Any]) -> str | None:
    """The update's id, the same when Telegram delivers it again: one turn (channels.exactly_once)."""
    number = update.get("update_id")
    return str(number) if isinstance(number, int) else None


class TelegramInput(RasaTelegramInput):
    """Receives updates on /webhooks/telegram/webhook, only with the right secret token header."""

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        secret_token = credentials.get("secret_token") or ""
        if not _SECRET_TOKEN.match(secret_token):
            raise RasaException(
                "Telegram needs `secret_token` (1-256 characters of A-Z a-z 0-9 _ -): "
                "without it, anyone could post fake updates to the webhook."
            )
        if not credentials.get("access_token"):
            raise RasaException("Telegram needs `access_token`, the bot token from @BotFather.")
        return cls(
            credentials["access_token"],
            secret_token,
            credentials.get("webhook_url"),
            credentials.get("api_base") or DEFAULT_API_BASE,
        )

    def __init__(
        self, access_token: str, secret_token: str, webhook_url: str | None, api_base: str
    ) -> None:
        super().__init__(access_token, verify=None, webhook_url=webhook_url, debug_mode=False)
        self.secret_token = secret_token
        self.api_base = api_base
        self._output: TelegramOutput | None = None

    def get_output_channel(self) -> TelegramOutput:
        # One bot (and one HTTP session) per server. Rasa's version also sets the webhook
        # here on a throwaway event loop, leaving a session bound to a closed loop; the
        # webhook is set from the server's own loop below instead.
        if self._output is None:
            self._output = TelegramOutput(self.access_token, self.api_base)
        return self._output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        bot = self.get_output_channel()

        @telegram_webhook.listener("before_server_start")
        async def set_webhook(*_: Any) -> None:
            if not self.webhook_url:
                logger.info("No Telegram webhook_url configured; leaving the bot's webhook as it is.")
                return
            try:
                await bot.set_secret_webhook(self.webhook_url, self.secret_token)
            except TelegramAPIError as error:
                raise RasaException(f"Failed to set the Telegram webhook: {error}") from error

        @telegram_webhook.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            await bot.session.close()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret_token):
                logger.warning("Telegram update without the right secret token; rejected.")
                return response.text("forbidden", status=403)
            update = json_object(request.body)
            if update is None:
                return response.text("expected a Telegram update (a JSON object)", status=400)
            incoming = None
            try:
                incoming = await self._read(update, bot)
                if incoming is None:
                    # Another kind of update, or one without a chat to answer: acknowledged, skipped.
                    return response.text("success")
                chat_id, text, note = incoming
                if text:
                    await on_new_message(
                        UserMessage(
                            text, bot, namespaced("telegram", chat_id), input_channel=self.name(),
                            message_id=update_id(update), metadata=self.get_metadata(request),
                        )
                    )
                else:
                    await bot.send_text_message(chat_id, note)
            except Exception:
                # Telegram re-delivers an update until it gets a 200, which would repeat
                # the conversation turn; log the failure and acknowledge the update.
                logger.exception("Failed to handle a Telegram update.")
                if incoming is not None:
                    await send_failure_reply(bot, incoming[0])
            return response.text("success")

        return telegram_webhook

    @staticmethod
    async def _read(update: Dict[str, Any], bot: TelegramOutput) -> Tuple[str, str, str] | None:
        """(chat id, text, note) of a message or button tap (see read_text), or None without a chat.

        Read from the raw update rather than aiogram's types, which take any JSON on trust: a
        number as text or a message without a chat would raise further on.
        """
        query = update.get("callback_query")
        chat_id = platform_id(dig(query, "message", "chat", "id"))
        if chat_id is not None:
            if isinstance(query.get("id"), str):
                # Stop the spinner on the tapped button.
                await bot.answer_callback_query(query["id"])
            return chat_id, *read_text(query.get("data"))
        message = update.get("message")
        chat_id = platform_id(dig(message, "chat", "id"))
        if chat_id is None:
            return None
        text, note = read_text(message.get("text"))
        # Telegram's Start button sends /start, which Rasa would read as an unknown intent.
        if _START_COMMAND.match(text):
            text = "/greet"
        return chat_id, text, note
