"""The union's added entries wage.payment_cycle, contract.training_fee_penalty and
contract.expired_keep_working: questions in workers' words find them first, and the neighbouring
entries they could be confused with still win their own questions.

The messages are written for these tests: not the entries' paraphrases, not from the dev set.
"""

from __future__ import annotations

import pytest

from bot.understand import Understanding

NEW = [
    # wage.payment_cycle: how often and when wages are paid, a month's pay held back
    ("零工按钟点结钱 最长隔几天必须给结", "wage.payment_cycle"),
    ("工资日赶上星期天 老板说顺延到下周 对吗", "wage.payment_cycle"),
    ("站里规矩是第一个月的工钱先押着 这样对吗", "wage.payment_cycle"),
    ("站长说新来的都要押一个月工资 合法吗", "wage.payment_cycle"),
    # contract.training_fee_penalty: training fee, uniform fee or penalty for leaving early
    ("干了两个月想走 站长让我先交五百块培训费才放人", "contract.training_fee_penalty"),
    ("协议上写着没满一年离职违约金三千 我要交吗", "contract.training_fee_penalty"),
    ("单位送我出去学了电工证 服务期没满走人违约金咋算", "contract.training_fee_penalty"),
    ("走的时候公司从工资里扣了工服费 说没干满半年", "contract.training_fee_penalty"),
    # contract.expired_keep_working: the contract ran out and the worker kept working
    ("合同上个月就到期了 公司没找我续 我还天天上班", "contract.expired_keep_working"),
    ("合同过了期限一直没续 公司能不能说不要我就不要我", "contract.expired_keep_working"),
    ("第二次合同马上到期 我想签无固定期限的 公司不肯", "contract.expired_keep_working"),
    ("劳动合同到期后没重新签 我还在干 这算啥关系", "contract.expired_keep_working"),
]

NEIGHBOURS = [
    # next to wage.payment_cycle
    ("这个月工资到现在一分都没到账 老板说再等等", "wage.arrears_steps"),
    ("我离职半个月了 最后那个月的工资还没给我结", "wage.resign_settlement"),
    # next to contract.training_fee_penalty
    ("上岗前要先交八百块押金 这合法吗", "contract.deposit_and_id"),
    ("工资条上平白无故多了一项扣款 问了也不说为什么", "wage.deduction"),
    # next to contract.expired_keep_working
    ("进公司九个月了一直没签过劳动合同 能要二倍工资吗", "contract.no_contract_double_wage"),
    ("合同到期了公司不跟我续签 能拿多少经济补偿", "dismissal.severance"),
]


@pytest.mark.parametrize(("message", "expected"), NEW)
def test_added_entries_are_found_first(understanding: Understanding, message: str, expected: str):
    result = understanding.understand(message).retrieval
    assert [h.id for h in result.hits][:1] == [expected], [(h.id, h.score) for h in result.hits]


@pytest.mark.parametrize(("message", "expected"), NEIGHBOURS)
def test_neighbours_still_win_their_own_questions(understanding: Understanding, message: str, expected: str):
    result = understanding.understand(message).retrieval
    assert [h.id for h in result.hits][:1] == [expected], [(h.id, h.score) for h in result.hits]

