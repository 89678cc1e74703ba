"""EVALUATION-ONLY hand lists for the web evaluation set (never import these from ``corpus_pipeline`` or ``rules/``).

Everything written by hand for :mod:`corpus_eval.webeval` lives here, so that it is clear what part of the
injected vocabulary is ours and what part was mined from real spam (:mod:`corpus_eval.webeval.vocab`). The rule
authors write their own lexicons in ``rules/`` independently; a rule that only matches these lists would score
well on the "eval_brands"/"eval_phrases" documents and badly on the mined ones, and the evaluation reports both.

Provenance names: :data:`EVAL_BRANDS` is the source ``eval_brands``; every other list that puts junk content into
a document (games, phrases, lure and lottery templates, SEO modifiers, generated spec lines and contact blocks) is
the source ``eval_phrases``. Frames (``相关搜索：``, ``友情链接：``, ``据…报道，``), the disguise tables, synonym
pairs, nicknames, hosts and address parts only change or frame text; they are recorded in ``truth.disguise`` /
``truth.spun_swaps``, not as a source.
"""

from __future__ import annotations

import re

#: Gambling brands and casino names as they appear in Chinese SEO spam (public knowledge; source ``eval_brands``).
EVAL_BRANDS = (
    "澳门新葡京", "新葡京娱乐场", "澳门威尼斯人", "威尼斯人娱乐城", "金沙娱乐城", "澳门金沙", "永利皇宫", "永利娱乐",
    "太阳城集团", "太阳城娱乐", "澳门银河", "银河娱乐", "美高梅娱乐", "皇冠体育", "皇冠现金网", "新濠天地",
    "bet365", "365bet", "亚博体育", "乐鱼体育", "九游会", "必威体育", "betway", "威廉希尔", "易胜博", "伟德国际",
    "12bet", "188金宝博", "金宝博", "沙巴体育", "BBIN宝盈", "AG亚游", "AG真人", "凯发娱乐", "尊龙凯时", "华体会",
    "星空体育", "半岛体育", "博天堂", "大发快三", "彩神争霸", "利来国际", "千亿体育", "博狗", "明升体育", "优德娱乐",
    "万博体育", "宝博体育", "雷竞技", "鸿运国际", "葡京娱乐场", "巴黎人娱乐", "金沙城中心", "新宝GG", "欧宝体育",
    "开元棋牌", "乐动体育", "爱游戏体育", "BOB体育", "OD体育", "ManBetX", "W88优德", "DAFABET", "大发888",
)

#: Lottery games named in lottery ads (``eval_phrases``).
LOTTERY_GAMES = (
    "时时彩", "重庆时时彩", "北京赛车", "北京PK10", "幸运飞艇", "极速赛车", "江苏快三", "快三", "11选5", "六合彩",
    "香港六合彩", "澳门六合彩", "双色球", "大乐透", "福彩3D", "排列三", "幸运28", "加拿大28", "腾讯分分彩", "极速快乐十分",
)

#: Casino games and betting words (``eval_phrases``).
CASINO_WORDS = (
    "百家乐", "龙虎斗", "老虎机", "电子游艺", "捕鱼游戏", "真人视讯", "21点", "轮盘", "德州扑克", "抢庄牛牛", "炸金花",
    "体育投注", "足球投注", "电竞投注", "篮球投注", "在线博彩", "网上赌场", "真人荷官", "棋牌游戏", "网投",
)

#: Phrases of gambling SEO titles and keyword blocks (``eval_phrases``).
GAMBLING_PHRASES = (
    "官网", "官方网站", "娱乐平台", "注册送彩金", "首存优惠", "开户送88", "在线投注", "手机版下载", "APP下载", "网址导航",
    "备用网址", "登录入口", "最新网址", "信誉平台", "正规平台", "赔率最高", "天天返水", "提款秒到", "存款优惠", "官方直营",
    "注册就送", "会员登录", "娱乐网址", "线上娱乐", "手机投注", "下注平台", "体验金", "彩金领取", "平台推荐", "稳赢技巧",
)

#: Neutral SEO modifiers appended to keywords (``eval_phrases``).
SEO_MODIFIERS = (
    "最新", "官网", "在线", "免费", "下载", "排行榜", "大全", "入口", "网址", "手机版", "攻略", "推荐", "哪个好", "怎么样",
    "价格", "2024", "2025", "正版", "高清", "在线观看", "官方", "图片", "视频", "百科",
)

#: Porn lure templates; ``{t}`` is a porn term, ``{c}`` a contact (``eval_phrases``).
PORN_LURES = (
    "免费在线观看{t}", "{t}高清无码在线播放", "点击进入{t}视频专区", "同城{t}，寂寞加我{c}", "{t}视频一对一，{c}",
    "今日更新{t}合集，永久免费", "成人{t}直播，点击进入", "{t}福利视频，手机直接看", "最新{t}资源下载，{c}",
    "寂寞少妇{t}，真人视频{c}", "{t}私密相册，加{c}看全部", "午夜{t}影院，无需注册",
)

#: Lottery ad templates; ``{g}`` game, ``{b}`` brand, ``{c}`` contact, ``{n}`` number, ``{d}`` issue, ``{p}`` picks
#: (``eval_phrases``).
LOTTERY_ADS = (
    "{g}计划群，稳赚不赔，导师带单，{c}", "{b}彩票 注册送{n}元 每日加奖", "{g}第{d}期免费计划：{p}", "{g}精准计划 回血上岸 {c}",
    "专业{g}人工计划 胜率90%以上 {c}", "{g}开奖直播 走势图 免费推荐", "{b}官方平台 {g} 一分钟一期", "{g}杀号技巧 稳定盈利 {c}",
    "{g}{d}期 必中三码：{p}", "加入{g}导师群 每天赚{n} {c}", "{b} {g}代理招募 高返点 {c}", "{g}包赢计划 不中退款 {c}",
)

#: Lines of the keyword / link blocks at the end of spliced pages; ``{k}`` keyword, ``{u}`` url (``eval_phrases``).
BLOCK_LINES = (
    "相关搜索：{k}", "热门关键词：{k}", "友情链接：{u}", "本站推荐：{k}", "标签：{k}", "{k} 点击进入：{u}", "最新网址：{u}",
    "备用网址：{u}", "相关推荐：{k}", "TAG：{k}",
)

#: Keys of product spec fragments and a value pattern for each (``eval_phrases``).
SPEC_FIELDS = (
    ("品牌", "brand"), ("型号", "model"), ("规格", "size"), ("尺寸", "size"), ("重量", "weight"), ("颜色", "color"),
    ("材质", "material"), ("产地", "place"), ("货号", "model"), ("包装", "package"), ("保质期", "shelf"), ("功率", "power"),
    ("电压", "voltage"), ("适用人群", "people"), ("执行标准", "standard"), ("价格", "price"), ("库存", "stock"),
    ("上市时间", "date"), ("净含量", "weight"), ("售后服务", "service"),
)
SPEC_VALUES = {
    "brand": ("华美", "佳宝", "金达", "瑞丰", "好太太", "美嘉", "康乐", "欧帝", "百盛", "天虹", "恒源", "朗科", "飞利", "雅居"),
    "color": ("黑色", "白色", "银色", "深空灰", "玫瑰金", "红色", "藏青色", "米白色", "透明"),
    "material": ("不锈钢", "ABS塑料", "纯棉", "真皮", "铝合金", "实木", "硅胶", "涤纶", "陶瓷"),
    "place": ("广东深圳", "浙江义乌", "江苏苏州", "福建泉州", "中国大陆", "山东青岛", "河北保定"),
    "package": ("盒装", "袋装", "散装", "礼盒装", "瓶装", "箱装"),
    "people": ("通用", "成人", "儿童", "男士", "女士", "老年人"),
    "service": ("全国联保", "七天无理由退换", "店铺三包", "一年保修"),
    "shelf": ("12个月", "18个月", "24个月", "36个月"),
}

#: Contact labels in plain and disguised spelling.
CONTACT_LABELS = {
    "phone": ("电话", "手机", "热线", "咨询电话", "联系电话", "☎", "电 话", "Tel"),
    "qq": ("QQ", "扣扣", "企鹅", "Q号", "QQ群", "球球", "扣"),
    "wechat": ("微信", "威信", "徾信", "薇信", "V信", "VX", "加薇", "wx", "微❤信", "威❤"),
    "name": ("联系人", "负责人", "客服", "业务经理"),
    "address": ("地址", "公司地址", "门店地址", "地 址"),
    "email": ("邮箱", "E-mail", "电子邮件"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
TITLES = ("经理", "先生", "女士", "老师", "主任", "总")
PROVINCES = (
    ("广东省", ("广州市", "深圳市", "东莞市", "佛山市")), ("浙江省", ("杭州市", "宁波市", "温州市", "金华市")),
    ("江苏省", ("南京市", "苏州市", "无锡市")), ("山东省", ("济南市", "青岛市", "临沂市")), ("河南省", ("郑州市", "洛阳市")),
    ("四川省", ("成都市", "绵阳市")), ("湖北省", ("武汉市", "宜昌市")), ("福建省", ("福州市", "厦门市", "泉州市")),
    ("北京市", ("朝阳区", "海淀区", "丰台区")), ("上海市", ("浦东新区", "闵行区", "徐汇区")),
)
ROADS = ("人民路", "解放路", "中山路", "建设大道", "工业园路", "科技路", "长江路", "新华街", "滨江大道", "环城东路", "花园路")

#: Look-alike characters: Latin letter -> Cyrillic/Greek homoglyphs.
LATIN_LOOKALIKES = {
    "a": "аα", "c": "с", "e": "е", "i": "і", "o": "оο", "p": "рρ", "x": "х", "y": "у", "s": "ѕ", "j": "ј",
    "A": "АΑ", "B": "ВΒ", "C": "С", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ", "K": "КΚ", "M": "МΜ", "N": "Ν", "O": "ОΟ",
    "P": "РΡ", "T": "ТΤ", "X": "ХΧ", "Y": "ҮΥ", "Z": "Ζ",
}
#: Separators spammers put between characters.
SEPARATORS = ("丶", "の", "☆", "★", "❤", "·", " ", "-", "_", "+", "|", "✿", "、")
#: Words and their radical/variant/near-sound spellings used to dodge filters.
VARIANT_SPELLINGS = {
    "博彩": ("菠菜", "博采", "bc", "菠彩"), "微信": ("威信", "徾信", "薇信", "V信", "VX", "wx"), "加微信": ("加薇", "+V", "+威"),
    "QQ": ("扣扣", "企鹅", "Q"), "彩票": ("采票", "彩p", "彩漂"), "赌博": ("du博", "堵博", "赌搏"), "色情": ("涩情", "se情"),
    "视频": ("视pin", "视屏", "視頻"), "百家乐": ("百家lè", "百加乐", "bjl"), "娱乐": ("娯乐", "娛樂", "娱lè"),
    "注册": ("註冊", "注-册", "zhu册"), "官网": ("官綱", "官wang", "官.网"), "投注": ("投住", "tou注"), "约炮": ("约P", "月泡"),
    "免费": ("免費", "mian费"), "联系": ("聯系", "连系"), "代理": ("代li", "袋理"), "赚钱": ("賺錢", "赚q"),
    "葡京": ("蒲京", "葡jing"), "威尼斯人": ("威尼丝人", "WNSR"), "金沙": ("金砂", "JS"),
}
CIRCLED_DIGITS = "⓪①②③④⑤⑥⑦⑧⑨"
HAN_DIGITS = "〇一二三四五六七八九"
FORMAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"

#: Common near-synonym pairs used to "spin" articles (applied both ways).
SYNONYM_PAIRS = (
    ("表示", "指出"), ("认为", "觉得"), ("目前", "当前"), ("非常", "十分"), ("进行", "开展"), ("重要", "关键"),
    ("提高", "提升"), ("已经", "已然"), ("开始", "着手"), ("主要", "首要"), ("希望", "期望"), ("增加", "增多"),
    ("减少", "削减"), ("帮助", "协助"), ("获得", "取得"), ("成为", "变成"), ("因为", "由于"), ("所以", "因此"),
    ("但是", "然而"), ("如果", "假如"), ("可能", "也许"), ("一定", "必定"), ("明显", "显著"), ("迅速", "快速"),
    ("立即", "马上"), ("经常", "常常"), ("突然", "忽然"), ("仍然", "依然"), ("特别", "尤其"), ("全部", "所有"),
    ("很多", "许多"), ("发现", "发觉"), ("告诉", "告知"), ("看到", "看见"), ("准备", "预备"), ("研究", "探讨"),
    ("调查", "考察"), ("解决", "处理"), ("建立", "设立"), ("参加", "参与"), ("举行", "举办"), ("保护", "维护"),
    ("保证", "确保"), ("原因", "缘故"), ("方法", "办法"), ("能力", "本领"), ("机会", "时机"), ("情况", "状况"),
    ("经验", "阅历"), ("城市", "都市"), ("群众", "民众"), ("居民", "住户"), ("孩子", "儿童"), ("学生", "学子"),
    ("老师", "教师"), ("医生", "大夫"), ("价格", "价钱"), ("费用", "花费"), ("收入", "收益"), ("数量", "数目"),
    ("速度", "速率"), ("地方", "地区"), ("附近", "周边"), ("周围", "四周"), ("美丽", "漂亮"), ("容易", "简单"),
    ("困难", "艰难"), ("重大", "巨大"), ("优秀", "出色"), ("高兴", "开心"), ("担心", "忧虑"), ("努力", "尽力"),
    ("认真", "仔细"), ("积极", "主动"), ("继续", "持续"), ("完成", "达成"), ("改变", "转变"), ("选择", "挑选"),
    ("要求", "请求"), ("提供", "供给"), ("使用", "运用"), ("利用", "借助"), ("购买", "采购"), ("销售", "出售"),
    ("生产", "制造"), ("建设", "修建"), ("管理", "治理"), ("推动", "促进"), ("加强", "强化"), ("扩大", "扩展"),
    ("防止", "避免"), ("注意", "留意"), ("了解", "知道"), ("明白", "清楚"), ("相信", "确信"), ("喜欢", "喜爱"),
    ("讨论", "商讨"), ("交流", "沟通"), ("联系", "联络"), ("回答", "答复"), ("说明", "阐明"), ("报道", "报导"),
    ("消息", "讯息"), ("大约", "大概"), ("目的", "目标"), ("意义", "含义"), ("作用", "功能"), ("特点", "特征"),
    ("优势", "长处"), ("缺点", "短处"), ("重视", "看重"), ("普遍", "广泛"), ("一般", "通常"), ("完全", "全然"),
    ("最后", "最终"), ("然后", "随后"), ("以后", "之后"), ("以前", "之前"), ("今天", "今日"), ("明天", "明日"),
    ("昨天", "昨日"), ("近日", "日前"), ("人们", "大家"), ("专家", "学者"), ("工作", "作业"), ("问题", "难题"),
    ("发展", "成长"), ("企业", "企业单位"), ("地区", "区域"), ("国家", "国度"), ("世界", "全球"),
    ("增长", "上涨"), ("下降", "下滑"), ("巨大", "庞大"), ("安全", "平安"), ("健康", "安康"),
    ("快乐", "欢乐"), ("美好", "美妙"), ("成功", "胜利"), ("失败", "失利"), ("开展", "展开"), ("实施", "施行"),
    ("落实", "贯彻"), ("部门", "单位"), ("领域", "范畴"), ("方式", "方法"), ("水平", "程度"),
    ("质量", "品质"), ("产品", "商品"), ("服务", "效劳"), ("技术", "技能"), ("信息", "资讯"),
    ("资料", "材料"), ("知识", "学问"), ("思想", "思维"), ("感觉", "感受"), ("觉得", "感到"),
    ("马上", "立刻"), ("终于", "总算"), ("几乎", "差不多"), ("甚至", "乃至"), ("而且", "并且"), ("虽然", "尽管"),
    ("只要", "只需"), ("因此", "故而"), ("于是", "因而"), ("此外", "另外"), ("同样", "相同"), ("不同", "不一样"),
    ("其中", "当中"), ("以及", "及"), ("通过", "经过"), ("根据", "依据"), ("关于", "对于"), ("按照", "依照"),
    ("显示", "表明"), ("指出", "强调"), ("称", "说"), ("说", "讲"), ("看", "瞧"), ("想", "思考"),
)

#: Nickname parts for chat threads.
NICK_PARTS = (
    "小鱼", "阿飞", "老王", "大熊", "木子", "星星", "风", "雨", "晴天", "老K", "二狗", "萌萌", "胖虎", "夜猫", "橘子",
    "小白", "咸鱼", "老张", "阿杰", "冰冰", "豆豆", "大海", "浪子", "火锅", "猫猫", "包子", "老李", "小七", "一叶", "北北",
)
#: Words that make up neutral host names for made-up URLs (good and junk alike).
HOST_WORDS = (
    "news", "info", "daily", "zixun", "xinwen", "shenghuo", "tianqi", "jiaoyu", "keji", "caijing", "bbs", "luntan",
    "home", "life", "city", "china", "hao", "yun", "jia", "hua", "xin", "tong", "ming", "kang", "le", "bo", "an",
)
TLDS = (".com", ".cn", ".com.cn", ".net", ".org", ".cc", ".net.cn")

#: Detector for hard negatives: good text that mentions lotteries or gambling (as news, crime reports, reviews).
GAMBLING_MENTION = re.compile(
    "彩票|博彩|赌|体彩|福彩|竞彩|彩民|六合彩|投注|双色球|大乐透|开奖|赔率|盘口|百家乐|娱乐城|老虎机"
)
#: Weaker hard-negative cues (Macau news, prize draws): such good documents keep their kind, flagged hard_negative.
GAMBLING_WEAK = re.compile("澳门|葡京|中奖|棋牌|扑克|麻将|竞猜|抽奖")
#: Words that place a real spam message in the gambling/lottery category (message classification only).
GAMBLING_SEEDS = re.compile(
    "博彩|菠菜|棋牌|彩金|首存|投注|百家乐|娱乐城|真人|体育|六合|彩票|时时彩|赛车|飞艇|老虎机|电子|捕鱼|盘口|下注|赌|平台|"
    "官网|开户|返水|注册|充值|提款|bet|BET|AG|PG|BBIN",
)
#: Words that place a real spam message in the porn category (together with the houbb/sensitive porn lists).
PORN_SEEDS = re.compile("看片|约炮|裸聊|日批|妹|涩|色|黄播|成人|福利|学生|少妇|人妻|片|视频|直播|一对一|同城|骚|逼|批|裸")
#: Government / notice pages (kind good:government).
GOVERNMENT = re.compile(
    "人民政府|政府|政协|人大|国务院|委员会|管理局|公告|通知|规定|条例|办法|决定|党委|纪委|书记|市长|省长|公报|命令|讲话"
)
