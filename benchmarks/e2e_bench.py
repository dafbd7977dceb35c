"""End-to-end Telegram benchmark: simulated workers talk to the bot through a local fake Bot API server.

The bot runs exactly as in production (aiogram long polling through aiohttp, the dialogue, the
ticket service on a SQLite file, the outbox sender); only Telegram is replaced by the fake server
of `tests/telegram/tg_fake_api.py` on 127.0.0.1. The fake server and the simulated workers run in
a separate process (they stand for Telegram and its users), so the bot's process has only the
bot's work, as in production.

1. Throughput: pacing off; every worker sends its messages as fast as the bot answers (each waits
   for the answer before the next). Prints updates/s handled.
2. Latency: pacing off; workers pause about `--think` seconds (random) between messages, as people
   do. Prints p50/p90/p99 time from the update being offered by the server to the first reply
   reaching it, and the offered rate.
3. Pacing: Telegram's real limits on (1 msg/s per chat, 20/min per group, 30/s overall); every
   worker sends /start at the same moment. Prints how long the replies take to get out and how
   much of that is pacing, reported apart from handling.

Targets: ≥ 300 updates/s handled, p99 < 100 ms excluding pacing.

    .venv/bin/python benchmarks/e2e_bench.py [--workers 200] [--messages 5] [--think 2.0] [--skip-pacing]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import random
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "telegram"))

STAFF_CHAT_ID = -1001234567890
# What a worker might type; written for this benchmark (not from the evaluation sets).
SCRIPT = [
    "/start",
    "你好",
    "送外卖超时被平台扣了两百块，这样扣钱合理吗",
    "跑单摔伤了腿，算不算工伤",
    "谢谢你",
    "/menu",
    "站点不给交社保怎么办",
    "/help",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


# --- the "Telegram" process: fake Bot API server + simulated workers ----------------------------
def telegram_side(conn: Connection, plan: dict[str, Any]) -> None:
    asyncio.run(_telegram_side(conn, plan))


async def _telegram_side(conn: Connection, plan: dict[str, Any]) -> None:
    from tg_fake_api import FakeBotApi
    from tg_recording import TOKEN

    fake = FakeBotApi(TOKEN, staff_chat_id=STAFF_CHAT_ID, forum=True)
    conn.send(await fake.start())
    loop = asyncio.get_running_loop()
    await fake.wait_for(lambda: fake.calls("getUpdates"), within=60)     # the bot is up and polling
    latencies: list[float] = []
    rng = random.Random(7)
    messages = [plan["script"][i % len(plan["script"])] for i in range(plan["messages"])]
    think = plan["think"]

    async def worker(user: int) -> None:
        seen = 0
        if think:
            await asyncio.sleep(rng.uniform(0, think))      # people do not all start in the same millisecond
        for index, text in enumerate(messages):
            update_id = await fake.worker_says(user, text)
            pushed.append(fake.update_pushed_at[update_id])
            reply = await fake.next_to_chat(user, seen, within=60)
            latencies.append(reply.at - fake.update_pushed_at[update_id])
            if index < len(messages) - 1:
                await asyncio.sleep(rng.expovariate(1 / think) if think else 0.05)
            seen = len(fake.to_chat(user))

    pushed: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(worker(plan["first_user"] + n) for n in range(plan["workers"])))
    elapsed = time.perf_counter() - started
    # the offered rate over the middle 80 % of the run (the ramp-up and the last stragglers left out)
    pushed.sort()
    lo, hi = pushed[len(pushed) // 10], pushed[len(pushed) * 9 // 10]
    offered = (len(pushed) * 0.8) / (hi - lo) if hi > lo else float("nan")
    window = max(s.at for s in fake.sent) - pushed[0]
    times = sorted(s.at for s in fake.sent)
    busiest = max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)) if times else 0
    conn.send({"latencies": latencies, "elapsed": elapsed, "updates": plan["workers"] * plan["messages"],
               "pauses": 0.05 * (plan["messages"] - 1), "offered": offered, "window": window,
               "busiest_second": busiest})
    await loop.run_in_executor(None, conn.recv)        # "stop"
    await fake.stop()


# --- the bot process ------------------------------------------------------------------------------
async def run_pass(understanding: Any, db: Path, plan: dict[str, Any], *, paced: bool) -> tuple[dict[str, Any], Any]:
    from tg_recording import TOKEN

    from bot.channels.telegram.app import TelegramApp
    from bot.channels.telegram.middlewares.throttling import ThrottlingMiddleware
    from bot.channels.telegram.ratelimit import Limits
    from bot.config import Settings
    from bot.services import Services

    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    side = ctx.Process(target=telegram_side, args=(there, plan), daemon=True)
    side.start()
    loop = asyncio.get_running_loop()
    url = await loop.run_in_executor(None, here.recv)
    services = await Services.open(db, understanding=understanding)
    settings = Settings(_env_file=None, bot_token=TOKEN, staff_chat_id=STAFF_CHAT_ID, database_path=db,
                        telegram_api_url=url, log_level="WARNING")
    app = TelegramApp.create(settings, services, limits=Limits() if paced else Limits.unlimited(), poll_interval=0.5,
                             throttle=ThrottlingMiddleware(limit=10**6, period=1.0))
    polling = asyncio.create_task(app.run_polling(polling_timeout=1, handle_signals=False))
    cpu = time.process_time()
    result = await loop.run_in_executor(None, here.recv)
    result["bot_cpu"] = time.process_time() - cpu
    limiter = {"waited": app.limiter.waited_total, "sends": app.limiter.sends}
    await app.stop_polling()
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        await asyncio.wait_for(polling, 10)
    await app.bot.session.close()
    await services.close()
    here.send("stop")
    side.join(10)
    return result, limiter


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=200)
    ap.add_argument("--messages", type=int, default=5)
    ap.add_argument("--think", type=float, default=2.0, help="mean pause between a worker's messages (latency pass)")
    ap.add_argument("--skip-pacing", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("aiogram").setLevel(logging.ERROR)

    from bot.understand import Understanding

    understanding = Understanding.load()
    base = {"workers": args.workers, "messages": args.messages, "script": SCRIPT}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        result, _ = await run_pass(understanding, folder / "a.db", {**base, "think": 0.0, "first_user": 100_000},
                                   paced=False)
        busy = result["elapsed"] - result["pauses"]
        print(f"1. throughput (pacing off): {args.workers} workers × {args.messages} messages = {result['updates']} "
              f"updates, back to back")
        print(f"   {result['updates'] / busy:.0f} updates/s handled ({busy:.2f} s; bot CPU {result['bot_cpu']:.2f} s; "
              f"p50 {percentile(result['latencies'], 0.5) * 1000:.0f} ms while saturated)")

        result, _ = await run_pass(understanding, folder / "b.db", {**base, "think": args.think, "first_user": 200_000},
                                   paced=False)
        lat = result["latencies"]
        print(f"2. latency (pacing off): {args.workers} workers, ~{args.think:.1f} s between a worker's messages, "
              f"{result['offered']:.0f} updates/s offered")
        print(f"   update → first reply: p50 {percentile(lat, 0.5) * 1000:.1f} ms, p90 {percentile(lat, 0.9) * 1000:.1f} ms, "
              f"p99 {percentile(lat, 0.99) * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms")

        if not args.skip_pacing:
            result, limiter = await run_pass(
                understanding, folder / "c.db",
                {**base, "messages": 1, "script": ["/start"], "think": 0.0, "first_user": 300_000}, paced=True)
            lat = result["latencies"]
            sends = limiter["sends"]
            print(f"3. pacing (Telegram's limits on): {args.workers} workers send /start at the same moment")
            print(f"   all first replies out {result['window']:.2f} s after the first /start: {sends} sends; "
                  f"at most {result['busiest_second']} in any one second (limit 30)")
            print(f"   pacing waits {limiter['waited']:.1f} s in total, {limiter['waited'] / max(1, sends) * 1000:.0f} ms "
                  f"per message on average; update → first reply p50 {percentile(lat, 0.5) * 1000:.0f} ms, "
                  f"p99 {percentile(lat, 0.99) * 1000:.0f} ms (the difference to pass 2 is pacing)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
