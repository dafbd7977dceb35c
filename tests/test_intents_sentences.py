"""Regression floor over sentences written for these tests (never copied from an evaluation set).

Each line is `act<TAB>topic<TAB>text`. The whole table must stay above the floors; single
borderline lines may move when the lexicons change, a drop across the table may not.
"""

from __future__ import annotations

import pytest

from intents.classifier import Classifier

ACT_FLOOR = 0.97
TOPIC_FLOOR = 0.95

TABLE = """
greet	none	哈喽 有人在线吗
greet	none	您好 打扰了
greet	none	喂 工会的同志在吗
thanks	none	好嘞 谢谢师傅
thanks	none	明白 辛苦了
thanks	none	行吧 那我知道了
thanks	none	谢谢你们 我去试试看
cancel	none	我不想投诉了 撤销吧
cancel	none	重新来一遍
cancel	none	刚刚说的作废
cancel	none	不要登记了 谢谢
status	none	上周提交的投诉 现在有人处理吗
status	none	我的工单到哪一步了
status	wage	欠薪那个事情有消息了吗
status	none	你们到底什么时候给我回复
human	none	我想跟真人聊
human	none	找个调解员跟我通个电话
human	none	能不能让工作人员联系我
human	none	不想跟机器说话
other	none	今天限行吗
other	none	哪里可以修电动车
other	none	帮我翻译一句英语
other	none	老家的房子被亲戚占了怎么办
other	none	前男友欠我两万块不还
other	none	买的二手车有问题 卖家不退
other	none	孩子上幼儿园要准备什么
other	none	被狗咬了要打几针疫苗
other	none	你会唱歌吗
other	none	我朋友开车撞了人跑了 会怎么判
urgent	injury	兄弟被电动车撞倒了 头一直流血 人不说话了
urgent	wage	老板不给钱 我们二十几个人现在把工地大门堵了 警察来了
urgent	none	我真的活不下去了 想从桥上跳下去
urgent	wage	讨薪的时候被老板的人打了 他们还在追我
urgent	dismissal	想辞职 站长把我锁在宿舍里不让走
complain	wage	帮我把站长欠的三千块工资要回来
complain	injury	摔断腿了公司一分钱不赔 请工会给我做主
complain	wage	美团乱扣我钱 我要投诉
complain	contract	我要投诉 公司不跟我签合同
complain	social_insurance	公司不给交社保 我想请工会帮忙
complain	dismissal	无故把我开了 我要申请调解
complain	hours	天天加班不给加班费 我要举报
ask	wage	工资可以拖几天发
ask	wage	老板说我没干满一个月 不给工资 合法吗
ask	wage	每个月工资都少给几百 问了也不说为啥
ask	wage	跑单补贴说好的不给了 咋办
ask	injury	跑外卖的时候被车撞了 谁负责
ask	injury	工伤认定需要准备什么材料
ask	injury	工伤期间公司要发工资吗
ask	injury	送餐摔骨折了 没有合同能走工伤吗
ask	insurance	骑手被车撞了 平台保险能赔多少
ask	insurance	那个职业伤害保险怎么申请理赔
ask	social_insurance	辞职了社保怎么办 要自己交吗
ask	social_insurance	跑网约车能交养老保险吗
ask	social_insurance	公司说给现金不交社保 我能同意吗
ask	contract	外包的骑手跟美团有没有劳动关系
ask	dismissal	试用期被辞退要给补偿吗
ask	contract	入职的时候让交服装押金 合理吗
ask	dismissal	主动离职能拿补偿吗
ask	dismissal	站长说我跑得慢要开除我 可以吗
ask	dismissal	公司要裁员 我能拿多少钱
ask	hours	一天跑十四个小时 有没有加班费
ask	hours	过年期间送外卖工资怎么算
ask	hours	一个月只能休两天 这合法吗
ask	platform	差评被扣钱了 能申诉吗
ask	platform	号被封了 保证金能退吗
ask	platform	骑手装备必须自己买吗
ask	platform	平台抽成有没有上限
ask	union	工会能帮我们什么
ask	union	哪里有骑手休息的地方
ask	union	工会会员生病住院有补助吗
ask	process	劳动仲裁要花钱吗
ask	process	找不到老板人了 还能申请仲裁吗
ask	process	哪里可以免费咨询律师
ask	process	打12345投诉有用吗
ask	process	调解不成怎么办
ask	wage	包工头跑了 工钱找谁要
ask	dismissal	被辞退了公司不给离职证明怎么办
ask	social_insurance	社保断了一个月有影响吗
ask	contract	劳务派遣和外包有什么区别
ask	hours	晚上送单有夜班补贴吗
greet	none	在线吗 师傅
greet	none	hi 请问这里是工会吗
greet	none	早 有人值班吗
thanks	none	懂了懂了 感谢
thanks	none	收到 麻烦你了
thanks	none	ok 谢啦
cancel	none	不弄了 下次再说
cancel	none	那个申请我想撤回
cancel	none	算了算了 不搞了
status	none	我的诉求现在什么情况
status	none	登记好几天了还没消息
status	injury	工伤那个调解有进展没有
human	none	人工 人工 人工
human	none	可以给我打个电话吗 我不会打字
human	none	有没有律师可以直接聊
other	none	附近哪有加油站
other	none	结婚证丢了怎么补办
other	none	楼上漏水把我家淹了 找谁赔
other	none	打麻将输了钱不想给 犯法吗
other	none	讲讲你是怎么做出来的
other	none	车被追尾了 保险公司不赔
other	none	房子卖了 中介费要给多少
urgent	injury	快递站的同事被叉车撞了 腿压在下面 出不来
urgent	wage	我们三十多个外卖员现在在平台办公楼下面 说不结钱就不走
urgent	none	活着没意思 想结束这一切
urgent	injury	骑手晕倒在路边了 怎么叫都没反应
complain	wage	公司欠了我们三个月工资 麻烦工会帮忙讨一下
complain	hours	请你们管管这个公司 每天强制加班到半夜
complain	platform	饿了么无故扣我保证金 我要申诉 请帮我
complain	injury	我要登记 干活时被砸伤了老板不管
complain	dismissal	怀孕了被公司辞退 请工会帮我维权
complain	contract	押金不退 我要投诉这个站点
ask	wage	计件工资怎么算才合法
ask	wage	站长说这个月的冲单奖励取消了 之前说好的能要吗
ask	wage	离职了工资能不能一次结清
ask	wage	工资发一半扣一半 说年底再给 这样可以吗
ask	injury	上班路上出车祸 算不算工伤
ask	injury	工伤赔偿标准是多少
ask	injury	老板说私了给五千 工伤就不报了 我该答应吗
ask	insurance	跑腿小哥有没有意外保险
ask	insurance	保险公司说我不在配送时间 不给赔
ask	social_insurance	社保交了十年 能领退休金吗
ask	social_insurance	公司给我交的是最低档社保 合法吗
ask	social_insurance	医保怎么报销
ask	contract	签的是合作协议不是劳动合同 有什么区别
ask	contract	老板让我签个承诺书 说出了事自己负责 有用吗
ask	contract	入职没给合同副本 可以要吗
ask	dismissal	公司说我不服从安排要开除我 合法吗
ask	dismissal	被裁员了 补偿金怎么算
ask	wage	想辞职 老板扣着工资不让走
ask	hours	高温天还要跑 平台有没有补贴
ask	hours	春节值班有没有三倍工资
ask	hours	一周七天都要上班 有规定吗
ask	platform	平台说我刷单 把钱冻结了 怎么办
ask	platform	配送费越来越低 平台能随便调吗
ask	platform	电动车必须租站点的吗
ask	union	怎么联系当地工会
ask	union	工会有没有免费体检
ask	union	入了会每年要交多少钱
ask	process	仲裁需要准备什么证据
ask	process	劳动监察和劳动仲裁有什么不同
ask	process	公司不认账 我手里只有转账记录 能仲裁吗
ask	process	法律援助中心在哪
ask	process	我们几十个人都被欠薪 可以集体仲裁吗
ask	wage	我是在县城送外卖的 跑了快一年了 上个月站点突然说要扣我们每个人两百块的什么卫生费 也没有说明 这个钱他们能随便扣吗
ask	injury	那天下大雨我送单在小区门口滑倒了 膝盖缝了六针 站长说是我自己不小心 这个能算工伤不
complain	wage	你好我想反映一下我们车队老板已经三个月没给我们结账了每次都说下个月我们一共七个司机麻烦你们帮我们要一下
ask	dismissal	我在仓库干了四年 今天主管说因为我上个月迟到了三次 明天就不用来了 也没有任何补偿 这样合法吗 我应该怎么办
ask	contract	我们这些跑众包的 到底算不算平台的人 出了事平台说跟他们没关系
ask	social_insurance	老闆說我們兼職的不用交社保 這個是真的嗎
ask	hours	請問國慶節加班的話 工資要怎麼算
ask	wage	唔该 我老细成日拖粮 点算好
ask	wage	boss 欠了我 salary 两个月 怎么办
ask	injury	gongshang 怎么申请
ask	platform	系統派單老是派很遠的單 不接就扣分 這合理嗎
ask	insurance	跑单出事了 平台那个保险我咋查有没有买
ask	process	老板不肯签调解协议 我还能怎么办
ask	process	仲裁开庭需要我本人去吗
ask	union	听说工会有给骑手送清凉 在哪领
ask	union	工会能不能帮我孩子找学校
complain	platform	站点每个月强制扣200块车费 不交就不让跑 请工会帮我们反映一下
complain	social_insurance	我举报 公司五年都没给我们上社保
urgent	wage	老板跑了 工人们把项目部围了 有人拿着棍子 快打起来了
urgent	injury	我在路上被车撞了 现在动不了 救命
urgent	none	我已经好几天没吃饭了 觉得活着没有意义
status	wage	我上个月投诉欠薪的那个 到现在一个电话都没有
human	none	能不能找个懂法律的人跟我说说
cancel	none	不用了 事情已经解决了
thanks	none	太感谢了 问题解决了
greet	none	您好 请问现在可以咨询吗
other	none	女儿高考志愿怎么填
other	none	邻居装修太吵了 能投诉吗
other	none	信用卡被盗刷了 银行不管
other	none	哪个外卖平台的红包多
other	none	今天的单子好多啊 好累
other	none	电动车骑多快会被罚
other	none	离婚后房贷谁来还
other	none	帮我查一下明天的天气
ask	wage	在工地干了两个月 包工头说要等工程结束才给钱 可以这样吗
ask	hours	每天送到凌晨两点 早上八点又要上线 身体受不了 法律对这个有规定吗
ask	dismissal	公司让我签自愿离职的单子 不签就不给工资 怎么办
ask	contract	公司说试用期不交社保 也不签合同 这合法吗
ask	platform	骑手的等级分是怎么算的
ask	wage	包吃住的工作 工资里扣伙食费合理吗
ask	wage	工资卡被老板拿着 每个月只给我生活费
ask	wage	做满一个月辞职 当月工资能拿到吗
ask	wage	骑手的收入算工资吗 少了能维权吗
ask	injury	腰椎间盘突出是搬货搬的 能算职业病吗
ask	injury	工伤鉴定结果不服怎么办
ask	injury	在站点里被电动车电池烫伤了 站长让我自己去医院
ask	insurance	骑手意外险理赔要多久
ask	social_insurance	换了城市社保怎么转
ask	social_insurance	公司没交社保 我生病住院能报销吗
ask	contract	招聘的时候说有五险 入职后又说没有 怎么办
ask	contract	劳动合同被公司拿走了 我手里没有 怎么办
ask	contract	公司要我交两千块培训费 走的时候不退
ask	dismissal	合同到期公司不续签 有补偿吗
ask	dismissal	公司搬到外地 我不想去 被算主动离职了
ask	hours	上夜班有没有额外的钱
ask	wage	请病假扣全勤合法吗
ask	platform	顾客没收到餐说是我偷吃 平台罚我全额赔偿
ask	platform	平台突然把我的服务区域换了 收入少了一半
ask	union	退休了还能参加工会活动吗
ask	process	劳动仲裁输了要赔公司钱吗
ask	process	老板威胁我 如果去仲裁就让我在这行混不下去
ask	process	没签合同 也没工资条 怎么证明我在这干过
complain	wage	工资拖了三个月了 实在没办法了 求你们帮帮我
complain	injury	老板不给报工伤 我要找工会
complain	hours	我要反映 公司逼我们每天上班14个小时
complain	platform	账号被无故封了 申诉没人理 帮我问问平台
status	none	你们受理了没有
status	none	工单号是GY20251103 现在谁在跟
human	none	这个太复杂了 还是找个人帮我看看吧
human	injury	工伤的事我想当面咨询 去哪找你们
cancel	none	那就这样吧 不用帮我登记了
thanks	none	嗯嗯 好的 谢谢啦
greet	none	哈喽哈喽
urgent	injury	工地上有人从架子上摔下来了 满头是血
urgent	wage	要不到工资 我现在就站在楼顶上
urgent	dismissal	不让我辞职 还把我身份证手机都收了 不让我出门
other	none	游戏充值被骗了能报警吗
other	none	快递被快递员弄坏了 能要赔偿吗
other	none	外卖送晚了 我能投诉骑手吗
other	none	宠物狗被车撞死了 找谁赔
other	none	物业不让我装充电桩
other	none	我的工资卡被冻结了 说我涉嫌洗钱
ask	wage	跑了一个月的单 结算的时候少了三百多 站长说是系统问题
ask	wage	老板用购物卡抵工资 可以拒绝吗
ask	wage	工资一直是现金发 没有记录 被拖欠了怎么办
ask	injury	上班时突发脑溢血 能算工伤吗
ask	injury	工伤住院期间的伙食费谁出
ask	insurance	职业伤害保障和工伤保险有什么不一样
ask	social_insurance	灵活就业人员怎么交医保
ask	social_insurance	社保缴费基数按最低的交 合法吗
ask	contract	派遣公司和用工单位都不管我 该找谁
ask	contract	签了一年合同 干了三个月想走 要赔违约金吗
ask	dismissal	公司以业绩不达标为由辞退我 要给补偿吗
ask	dismissal	经济补偿金怎么计算 按基本工资还是实发工资
ask	hours	加班都是口头安排的 没有记录 能要加班费吗
ask	hours	婚假有几天 骑手能休吗
ask	platform	一个差评扣五十 顾客乱评怎么申诉
ask	platform	平台新规则说每天必须在线十个小时 不然没单
ask	union	我们站点想成立工会 怎么弄
ask	process	我在外地打工 回老家了还能申请仲裁吗
ask	process	找律师打劳动官司大概要多少钱
complain	wage	要申请调解 物流公司拖欠我们八个人两个月工资
complain	dismissal	无缘无故被辞 想请你们帮我讨个公道
complain	contract	公司不退我的押金和身份证 请帮我处理
status	none	调解员什么时候联系我
status	none	我的案子有新进展吗
human	none	我还是想找你们的人面谈
cancel	none	撤回我的申请
thanks	none	好 了解
greet	none	你好 在么
urgent	injury	讨薪被老板的保安打伤了 现在在医院
urgent	none	被逼得没办法了 准备和老板同归于尽
other	none	网上买的衣服质量太差 怎么维权
other	none	被电信诈骗了五千块 还能追回吗
other	none	小孩被狗咬了 主人不赔
other	none	我妈的养老院乱收费
other	none	我想学开货车 驾照怎么考
ask	wage	公司说效益不好 这个月工资只发一半 合法吗
ask	wage	说好的全勤奖 请了一天假就全没了
ask	wage	我是日结工 干了三天老板只给了一天的钱
ask	injury	工作时间在站点被顾客打伤了 算工伤吗
ask	injury	工伤私了协议签了还能反悔吗
ask	injury	职业病鉴定去哪里做
ask	insurance	平台每天扣的保险 出事了到底赔不赔
ask	social_insurance	公司扣了我社保的钱 但是没给我交
ask	social_insurance	领失业金需要什么条件
ask	contract	没有合同 只有微信聊天记录 能证明劳动关系吗
ask	contract	公司让签空白合同 能签吗
ask	dismissal	刚生完孩子回去上班 岗位没了
ask	dismissal	辞职信交上去一个月了 公司不给办离职手续
ask	hours	休息日加班公司说只能调休 不给钱 可以吗
ask	hours	夏天高温补贴一般多少钱
ask	platform	平台规定超时一分钟就罚钱 有法律依据吗
ask	platform	被系统判定异常 号被封了七天
ask	union	司机之家能洗澡吗
ask	union	工会会员有没有意外保险
ask	process	劳动仲裁的时效从什么时候开始算
ask	process	劳动监察投诉需要带什么材料
complain	wage	我想申请工会调解 公司拖欠工资半年了
complain	injury	帮我找公司要工伤赔偿
complain	platform	平台乱罚款 我要求退还 请你们帮忙
complain	hours	我要投诉 加班从来不给加班费
status	none	我前天登记的事情 有人看了吗
human	none	你们有没有热线电话 我想直接打过去问
cancel	none	先别登记了 我再考虑考虑
thanks	none	行 我明白怎么做了 谢谢工会
greet	none	同志你好
urgent	injury	工友被机器卷进去了 手出不来
urgent	wage	拿不到工资 我现在在公司楼顶 不给钱我就跳
other	none	微信被封了怎么解封
other	none	酒驾被抓了会坐牢吗
other	none	商场买的电器坏了 不给换
other	none	欠网贷还不起了怎么办
ask	wage	快递公司说丢件要从工资里扣 一个件扣两百 合理吗
ask	wage	老板说这个月效益不好 工资下个月一起发 我该等吗
ask	wage	兼职送外卖 按单结算 最低工资对我有用吗
ask	injury	骑车送货时被路边的树枝划伤了眼睛 公司说不是工伤
ask	injury	工伤认定下来了 公司不给钱 该去哪里要
ask	insurance	出了交通事故 平台给买的保险能赔多少
ask	social_insurance	我跑滴滴的 个人怎么交社保最划算
ask	social_insurance	公司一直按最低基数给我交社保 我吃亏了吗
ask	contract	在小区当保洁 物业说我是外包公司的人 到底谁是老板
ask	contract	公司让我们每个人都签一份劳务协议 这跟劳动合同一样吗
ask	dismissal	被公司开除了 说我违反规章制度 可我从没见过什么制度
ask	wage	我提出离职 公司要扣我半个月工资当违约金
ask	hours	下雨天还要求准时送达 超时还罚款 有没有恶劣天气的规定
ask	hours	我们每周只休半天 这样合法吗
ask	platform	接单率不到百分之九十就不给派好单 这合理吗
ask	platform	平台的算法一直派远单 能投诉平台吗
ask	union	工会有没有法律援助
ask	union	骑手加入工会要什么手续
ask	process	劳动仲裁的裁决书下来了 公司还是不给钱
ask	process	我想告公司 但是怕被报复 怎么办
complain	wage	站长卷钱跑了 欠我们十几个骑手两个月工资 请工会出面
complain	injury	工作时被机器压断了手指 老板只给了两千 我要维权
complain	platform	平台乱封号 帮我申诉
complain	social_insurance	公司从来不给我们缴社保 我要求工会介入
status	none	我投诉的事有结果了没有
human	none	机器人说的我听不明白 能找个真人吗
cancel	none	这个事我不想弄了 退出吧
thanks	none	谢谢你的耐心解答
greet	none	早上好 师傅
urgent	injury	同事在仓库里中暑晕倒了 怎么叫都不醒
urgent	wage	几十个工人爬到塔吊上讨薪 说不给钱就不下来
other	none	我想换个手机号怎么办
other	none	养的猫丢了 能报警吗
other	none	老家的土地被别人种了
other	none	分期买的手机还不上了
ask	wage	我想问一下我们站点这个月的工资到现在还没发说是要等到二十号以后我们可以去哪里反映
ask	wage	工资条上写的跟实际到手的不一样 少了好几百 😤
ask	contract	老板说试用期没工资 只管吃住 这合法吗
ask	injury	俺在厂里干活手被机器绞了 老板只给拿了医药费 后面的误工费不管了 这个咋弄
ask	injury	下班回家路上被电动车撞了 对方跑了 能算工伤吗
ask	insurance	美团的保险是平台买的还是站点买的 出事了找谁
ask	social_insurance	在两个城市都交过社保 退休的时候怎么算
ask	contract	公司说我们是承包关系不是雇佣关系 出了事不负责
ask	contract	入职的时候扣了我的驾驶证 说跑满一年才还
ask	dismissal	我被公司调到很远的地方上班 不去就算我自动离职 合法吗
ask	dismissal	公司倒闭了 员工的补偿怎么算
ask	hours	一年到头没有一天假期 这正常吗
ask	hours	晚上十点以后送单有夜班费吗
ask	platform	平台说我异常接单 直接扣了我一周的收入
ask	platform	每天不跑够八个小时就要被降级
ask	union	听说工会给骑手发过冬的棉衣 在哪领
ask	process	我的劳动仲裁申请被退回来了 说材料不齐
ask	process	可以先找工会调解 不行再去仲裁吗
complain	wage	麻烦帮我登记一下 我在美团跑了三个月 站长一直压着最后一个月工资不给
complain	contract	押了我两千块押金 辞职了不退 请帮我要回来
complain	dismissal	我在这干了五年 说开就开 一分补偿都没有 我要讨个说法
status	none	我昨天提交的申请有人看了吗 怎么没动静
human	none	你们这有人工服务吗
cancel	none	我已经跟老板谈妥了 不用调解了
thanks	none	好的好的 辛苦你们了
greet	none	嗨 请问有人在吗
urgent	wage	老板叫了一帮人来 说谁再要工资就打断谁的腿 现在把我们围住了
urgent	none	撑不住了 今晚就想结束自己
other	none	租的房子漏水 房东不修
other	none	想给孩子报个暑假班
other	none	路上捡到一个钱包怎么办
other	none	我的电动车被交警扣了 怎么取回来
ask	wage	老闆一直說下個月發 已經拖了三個月了 我可以怎麼做
ask	wage	你好 我想问下 公司扣我工资当罚款合不合法
ask	wage	过年前说好多发一个月工资 现在又不认了
ask	injury	我老公送外卖被车撞了 现在住院 平台说不归他们管
ask	injury	工伤了公司让我自己先垫医药费 以后能报吗
ask	insurance	每单扣的一块钱保险到底保什么
ask	social_insurance	没交满十五年社保 退休怎么办
ask	contract	干了两年 公司才让我补签合同 还把日期写成今天
ask	contract	快递网点承包人说我是他雇的 不是快递公司的人
ask	dismissal	被辞退的时候公司没提前通知 能多要一个月工资吗
ask	dismissal	休完产假回来公司说我的岗位取消了
ask	hours	公司规定每个月必须加班六十个小时
ask	hours	节假日值班算加班吗
ask	platform	跑腿平台要求我们交五百块保证金 离职能退吗
ask	platform	配送超时是因为商家出餐慢 也要罚我吗
ask	union	我是网约车司机 你们工会能给我们什么帮助
ask	process	仲裁要是输了 要不要付对方律师费
ask	process	工资被拖欠 打哪个电话投诉最管用
complain	wage	我们八个人的工资都被包工头扣着 请你们帮我们讨回来
complain	injury	请工会帮我出个面 工伤赔偿公司一直拖
complain	wage	饿了么站点乱扣钱 我要举报他们
status	wage	讨薪那个事有人在处理吗
human	none	我要找你们领导
cancel	none	不需要了 谢谢 先取消
thanks	none	明白啦 非常感谢
greet	none	您好 工会吗
urgent	injury	有个骑手倒在路上不动了 身上都是血
urgent	wage	再不给工资我就从这楼上跳下去
other	none	上班路上看到一只受伤的小猫 该怎么办
other	none	我想学做饭 有什么推荐
other	none	手机被偷了 里面有支付宝
other	none	邻居家小孩总是半夜哭
ask	contract	站点说新人前两周没有工资 算培训期 这样对吗
ask	wage	年底老板说没钱 先打欠条 欠条有用吗
ask	wage	被扣了三百 说我跟顾客吵架 这能扣吗
ask	injury	我在工地摔伤了 老板说他给我买了意外险 让我走保险 不认工伤
ask	injury	工伤等级评完了 一次性伤残补助怎么算
ask	insurance	平台的意外险只赔医疗费吗 误工费赔不赔
ask	social_insurance	辞职后社保断了 自己怎么续上
ask	social_insurance	公司让我们自己交社保 每月报销一部分 这样行吗
ask	contract	老板让我去办个营业执照 说以后按合作算
ask	contract	我是外包公司派到京东的 京东有没有责任
ask	contract	试用期最后一天被通知不合格 没有任何理由
ask	dismissal	公司要求我们签降薪协议 不签就走人
ask	hours	中午没有吃饭时间 一直在送单
ask	hours	连续上了二十天班没休息 能要加班费吗
ask	platform	因为一个投诉被停单三天 这三天的损失谁赔
ask	platform	高峰期不上线就扣分 这个规则合理吗
ask	union	在哪可以申请困难职工补助
ask	process	没有劳动合同可以申请劳动仲裁吗
ask	process	工会调解达成的协议有法律效力吗
complain	wage	我要投诉我们车队长 他克扣了我们的补贴
complain	hours	公司强迫我们春节上班还不给三倍工资 我要反映
complain	social_insurance	站点逼我们签不要社保的协议 请工会管一管
status	platform	我反映的封号的事 有处理结果了吗
human	none	请安排一位调解员联系我
cancel	none	这个问题解决了 可以撤销了
thanks	none	好的 我知道怎么做了
greet	none	喂 你好 是工会服务吗
urgent	injury	我被困在电梯里了 送餐送到一半
urgent	process	我们十几个人在老板家门口等着 他叫人来赶我们 要动手了
other	none	孩子在学校被欺负了
other	none	外卖员把我的餐洒了 平台不给退款
other	none	打车的时候司机绕路了 怎么投诉
other	none	驾照扣满十二分怎么办
ask	wage	冲单活动说好跑满五百单给八百 还差两天活动就被取消了 钱一分不给
ask	wage	我辞工以后老板就把我微信拉黑了 电话也不接 剩下那半个月咋要
ask	contract	招工的把我驾驶证收走了 说干满半年才还我
ask	injury	手指头压断了一截 厂里说等好了去评个残 这个去哪评
ask	hours	天天早七点干到晚上十一点 身体实在吃不消了 这样合法吗
ask	platform	人脸识别老是不通过 跑不了单 找客服也没用
ask	platform	平台让人脸认证 我认证了好几次都失败 账号被限制接单了
ask	wage	上个月不干了 找站长结账 他电话一直不接 微信也不回
ask	injury	腰摔坏了 医生说能评上残 评残要啥材料
status	none	说这周给我回个话 今天都礼拜五了
status	none	前天说今天下午给我回电 现在都快天黑了
status	none	资料都交全了 咋一直没回话
status	none	调解员跟站长约上了没
status	none	登记完就没下文了 是不是没人管
status	none	我的事后来有人接着管没有
greet	none	各位老师好 头一回用这个
greet	none	刚关注的 大伙好
greet	none	工友推荐我来的
greet	none	侬好 请问有人伐
greet	none	有冇人喺度
human	none	有没有懂行的能直接跟我通个话
human	none	找个能做主的人跟我说 别让我一直打字了
ask	union	你们热线晚上几点就没人接了
cancel	none	那就撤了吧 我们自己谈妥了
thanks	none	行 有空请你喝酒
urgent	injury	工地上钢管掉下来砸到人了 人压在底下
urgent	injury	货架倒了把我同事压住了 拉不出来
urgent	injury	工友胳膊卷机器里了 拽不出来
urgent	injury	老乡在车间突然倒了 没呼吸了
urgent	injury	钢筋从楼上掉下来砸中一个小工 人趴着不动
ask	injury	工伤在家休着 公司说这几个月不发工资了
ask	injury	伤残就业补助金按哪个工资标准算
ask	social_insurance	每个月工资里扣了失业保险 辞职以后能领多少
ask	contract	合同还没到期公司就违约了 能要赔偿吗
other	none	电动车没有牌照 交警给扣了 要罚多少
other	none	我养的狗咬了邻居 要赔钱吗
other	none	钱包忘在网约车上了 怎么联系司机
other	none	坐出租车把包落在后座了 怎么找回来
"""


def rows() -> list[tuple[str, str, str]]:
    return [tuple(line.split("\t")) for line in TABLE.strip().splitlines()]  # type: ignore[misc]


@pytest.fixture(scope="module")
def clf(data_path) -> Classifier:
    return Classifier.load(data_path)


def test_table_is_well_formed() -> None:
    from intents.types import ACTS, TOPICS

    for act, topic, text in rows():
        assert act in ACTS and topic in TOPICS and text.strip(), (act, topic, text)


def test_sentences_stay_above_the_floors(clf: Classifier) -> None:
    table = rows()
    misses = []
    acts = topics = 0
    for act, topic, text in table:
        r = clf.classify(text)
        acts += r.act == act
        topics += r.topic == topic
        if (r.act, r.topic) != (act, topic):
            misses.append(f"{act}/{topic} → {r.act}/{r.topic}: {text}")
    report = "\n".join(misses)
    assert acts / len(table) >= ACT_FLOOR, report
    assert topics / len(table) >= TOPIC_FLOOR, report


# Danger happening now must never be missed (act `urgent`, strictly, not under a floor); the same
# words told about the past, as a question, stay questions.
URGENT_NOW = [
    "厂房里的液化气罐在漏气 两个工友已经站不稳了",
    "冷库那边氨气泄漏 有人呛得喘不过气",
    "我们站点门口有人晕倒了 叫不动",
    "师傅骑车被货车刮了 躺在地上爬不起来",
    "污水井里熏倒了一个人 还在下面",
]
PAST_QUESTIONS = [
    "前年在化工厂吸了有毒气体 现在老咳嗽 能不能算职业病",
    "上个月被车刮倒躺地上好一会儿 公司说不算工伤 对吗",
]


@pytest.mark.parametrize("text", URGENT_NOW)
def test_danger_now_is_urgent(clf: Classifier, text: str) -> None:
    """The dialogue's decision (classifier, self-harm words, acute words when it is unsure)."""
    from bot.dialogue.engine import Dialogue

    assert Dialogue._urgent(clf.classify(text), text)


@pytest.mark.parametrize("text", PAST_QUESTIONS)
def test_the_same_words_about_the_past_stay_a_question(clf: Classifier, text: str) -> None:
    from bot.dialogue.engine import Dialogue

    nlu = clf.classify(text)
    assert nlu.act == "ask" and not Dialogue._urgent(nlu, text)


# A crash while delivering, told with the police's liability finding, is a work traffic accident
# (injury.traffic_accident), strictly; 交警 / 全责 alone, about private life, stay another domain.
WORK_CRASH_WITH_POLICE = [
    "送快件的时候叫个面包车给刮了 膝盖缝了六针 交警说对方全责",
    "跑单路上被出租车撞了 交警认定对方主责 公司说有对方赔就不算工伤",
    "拉货的时候被后车追尾 腰伤了 交警出了责任认定 我没责任",
]
PRIVATE_CRASH_WITH_POLICE = [
    "骑电动车去买菜被撞了 交警判对方全责 对方不赔怎么办",
    "送孩子上学路上被车刮了 交警说对方全责",
    "交警判我全责 罚款怎么交",
]


@pytest.mark.parametrize("text", WORK_CRASH_WITH_POLICE)
def test_a_crash_at_work_with_the_police_finding_is_an_injury_question(clf: Classifier, text: str) -> None:
    nlu = clf.classify(text)
    assert (nlu.act, nlu.topic) == ("ask", "injury"), (nlu.act, nlu.topic, nlu.topic_scores, nlu.off_topic)


@pytest.mark.parametrize("text", PRIVATE_CRASH_WITH_POLICE)
def test_a_private_crash_with_the_police_stays_another_domain(clf: Classifier, text: str) -> None:
    assert clf.classify(text).act == "other"
