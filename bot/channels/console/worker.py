"""`gongyou chat`: a worker's chat in the terminal, on the same dialogue as every other channel.

Buttons are shown as numbered choices: typing the number, or the button's text, presses it;
anything else is a message. `/photo PATH` and `/file PATH` send a file (its path stands for the
channel's file id), `/menu`, `/help`, `/mytickets`, `/cancel` are the dialogue's commands, `/quit`
leaves. Outbox messages for this worker (staff replies, state changes) are printed as they arrive,
between inputs and while waiting for one, and marked sent.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TextIO

from bot.channels.console.cli import console_services
from bot.channels.console.io import ConsoleIO, parse_number
from bot.dialogue.types import Attachment, Button, Incoming, Reply, UserRef
from bot.services import Services

log = logging.getLogger(__name__)

CHANNEL = "console"
BOT_LABEL = "工友> "
USER_LABEL = "你> "
INDENT = " " * 6
FILE_COMMANDS = {"photo": "photo", "file": "document", "voice": "voice", "video": "video"}
DIALOGUE_COMMANDS = {"start", "menu", "help", "mytickets", "cancel", "mydata", "forget"}
QUIT_COMMANDS = {"quit", "exit", "q"}
MAX_DRAIN_ROUNDS = 50


class WorkerConsole:
    def __init__(self, services: Services, io: ConsoleIO, *, user_id: str = "local", display_name: str = "",
                 poll_interval: float = 1.0) -> None:
        self.services = services
        self.io = io
        self.user = UserRef(CHANNEL, user_id)
        self.display_name = display_name or user_id
        self.poll_interval = poll_interval
        self.choices: list[Button] = []
        self._outbox_lock = asyncio.Lock()

    # ---- output ---------------------------------------------------------------------------------
    def show(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        lines = text.splitlines() or [""]
        self.io.write(BOT_LABEL + lines[0])
        for line in lines[1:]:
            self.io.write(INDENT + line)
        for row in buttons or []:
            cells = []
            for button in row:
                self.choices.append(button)
                cells.append(f"[{len(self.choices)}] {button.label}")
            self.io.write(INDENT + "  ".join(cells))

    def show_replies(self, replies: list[Reply]) -> None:
        self.choices = []
        for reply in replies:
            self.show(reply.text, reply.buttons)

    async def drain_outbox(self) -> int:
        """Print this worker's pending outbox messages and mark them sent; returns how many."""
        tickets = self.services.tickets
        shown = 0
        async with self._outbox_lock:
            # The outbox hands out one message per recipient at a time (order is kept): ask again
            # until nothing is left for this worker.
            for _ in range(MAX_DRAIN_ROUNDS):
                mine = [m for m in await tickets.outbox_pending(channel=CHANNEL, limit=100)
                        if m.recipient == self.user.user_id]
                if not mine:
                    break
                for message in mine:
                    buttons = [[Button(b.get("label", ""), b.get("data", "")) for b in row] for row in message.buttons]
                    self.show(message.text, buttons)
                    await tickets.outbox_mark_sent(message.id, meta={"console": "shown"})
                    shown += 1
        return shown

    # ---- input ----------------------------------------------------------------------------------
    def incoming_for(self, line: str) -> Incoming | None:
        """What a typed line means; None for /quit."""
        text = line.strip()
        number = parse_number(text)
        if number is not None and 1 <= number <= len(self.choices):
            return Incoming(self.user, button=self.choices[number - 1].data, display_name=self.display_name)
        for button in self.choices:
            if text == button.label:
                return Incoming(self.user, button=button.data, display_name=self.display_name)
        if text.startswith("/"):
            command, _, rest = text[1:].partition(" ")
            command = command.lower()
            if command in QUIT_COMMANDS:
                return None
            if command in FILE_COMMANDS and rest.strip():
                path = rest.strip()
                size = Path(path).stat().st_size if Path(path).is_file() else 0
                attachment = Attachment(FILE_COMMANDS[command], file_id=path, name=Path(path).name, size=size)
                return Incoming(self.user, attachment=attachment, display_name=self.display_name)
            if command in DIALOGUE_COMMANDS:
                return Incoming(self.user, command=command, display_name=self.display_name)
        return Incoming(self.user, text=text, display_name=self.display_name)

    async def send(self, incoming: Incoming) -> None:
        replies = await self.services.dialogue.handle(incoming)
        self.show_replies(replies)
        for ticket_id in {t for reply in replies for t in reply.settles}:
            await self.services.tickets.settle_told(ticket_id)   # shown: the held-back confirmation is not needed
        await self.drain_outbox()

    async def on_line(self, line: str) -> bool:
        incoming = self.incoming_for(line)
        if incoming is None:
            return False
        await self.send(incoming)
        return True

    async def run(self) -> int:
        self.io.start()
        self.io.write("工友 · 在终端里和工友聊天。输入序号选按钮，直接打字也行；/photo 文件路径 发图片，/quit 退出。")
        await self.send(Incoming(self.user, command="start", display_name=self.display_name))
        try:
            await self.io.serve(USER_LABEL, self.on_line, self.drain_outbox, self.poll_interval)
        finally:
            await self.drain_outbox()
        self.io.write("再见！需要时随时再来。")
        return 0


async def chat(db_path: Path | None, *, stdin: TextIO, stdout: TextIO, user_id: str = "local",
               data: Path | None = None, poll_interval: float = 1.0) -> int:
    async with console_services(db_path, data, stdin, stdout) as services:
        console = WorkerConsole(services, ConsoleIO(stdin, stdout), user_id=user_id, poll_interval=poll_interval)
        return await console.run()

