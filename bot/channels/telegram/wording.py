"""What the Telegram adapter itself says (staff cards, refusals, media hints).

Each line has a text key; a key defined in `data/texts/*.yaml` wins, so union staff can reword
any of them there. The defaults below keep the adapter working when a key is not (yet) in data.
Templates are plain text with `{placeholders}`; values are escaped by the caller's renderer.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, str] = {
    # worker side
    "tg.media.unsupported": (
        "这类内容我还看不懂。你可以：\n· 打字告诉我发生了什么\n· 发照片或文件（工资条、聊天截图、合同）当证据"
    ),
    "tg.media.voice": "语音我暂时听不了，麻烦打字告诉我，或者发截图、照片。",
    "tg.media.location": "收到位置，谢谢。需要时请直接打字告诉我在哪个城市、哪个区。",
    "tg.flood": "消息有点多，我先处理前面的，请稍等一下再发。",
    "tg.error": "抱歉，刚才出了点问题，请稍后再试一次。",
    "tg.staff_only": "这个命令只给工会工作人员用。需要帮助请直接打字告诉我，或发 /menu。",
    "tg.signature": "【工会调解员】",
    # staff side
    "tg.staff.refused": "只有工会值班群成员或管理员可以处理工单，这次操作没有执行。",
    "tg.staff.anonymous": "请先关闭“匿名管理员”再操作工单，这样才能记下是谁处理的。",
    "tg.staff.no_ticket": "找不到这个工单。请在工单话题里操作，回复工单提醒，或写上编号（如 /ticket GY-20261123-0007）。",
    "tg.staff.usage.ticket": "用法：/ticket 编号",
    "tg.staff.usage.note": "用法：/note 备注内容（在工单话题里，或 /note 编号 备注内容）",
    "tg.staff.usage.transfer": "用法：/transfer 去向 原因，去向可填：人社、仲裁、法院、法律援助",
    "tg.staff.usage.resolve": "用法：/resolve 追回金额 说明，例如 /resolve 3200 平台已补发工资",
    "tg.staff.usage.close": "用法：/close 原因，例如 /close 工友撤回",
    "tg.staff.claimed": "{name} 已接单。",
    "tg.staff.claimed_by_you": "你已经接过这个单了。",
    "tg.staff.note_saved": "备注已记录（工友看不到）。",
    "tg.staff.reply_sent": "已转给工友。",
    "tg.staff.relay_text_only": "话题里只转发文字给工友，图片和文件请用文字说明。",
    "tg.staff.note_hint": "写备注：在本话题发送 /note 备注内容（工友看不到）。",
    "tg.staff.transfer_hint": "转交：发送 /transfer 去向 原因（去向：人社、仲裁、法院、法律援助）。",
    "tg.staff.close_hint": "结案：调解成功发 /resolve 追回金额 说明；撤回或无法联系发 /close 原因。",
    "tg.staff.done": "工单 {code} 现在是「{state}」。",
    "tg.staff.queue_empty": "队列是空的，没有待处理的工单。",
    "tg.staff.queue_title": "待处理工单（{count}）",
    "tg.staff.worker_says": "工友留言",
    "tg.staff.failed": "操作没有成功：{reason}",
    "tg.staff.stats_title": "工单统计",
}


class Wording:
    """Text lookup: reply texts from data first, the adapter's defaults second."""

    def __init__(self, texts: Any | None = None) -> None:
        self._texts = texts

    def __call__(self, key: str, **values: Any) -> str:
        if self._texts is not None and key in self._texts:
            return str(self._texts.render(key, **values))
        return DEFAULTS[key].format(**values)
