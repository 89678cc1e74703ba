import pytest

from corpus_pipeline.rules.navigation import strip_navigation

NAVIGATION = [
    "首页 | 新闻 | 体育 | 财经 | 科技",
    "首页 > 国内新闻 > 正文",
    "当前位置：首页 > 滚动",
    "登录 注册",
    "返回顶部",
    "【关闭】",
    "分享到：",
    "分享到：微博 微信 QQ空间",
    "上一篇：某某会议在京召开",
    "版权所有 © 2021 某某网 京ICP备12345678号",
    "Copyright © 2005-2021 All Rights Reserved",
    "新闻 体育 财经 娱乐 汽车",
    "1 2 3 4 5 下一页",
    "相关阅读",
    "设为首页 加入收藏 联系我们",
]

CONTENT = [
    "今天，国务院召开常务会议，研究部署进一步推动经济发展的措施。",
    "记者在微博上发表评论。",  # menu words, but they cover less than half the line
    "第一回 甄士隐梦幻识通灵",  # chapter heading: two tokens only
    "是。",
    "“首页”这个词出现在句子里也没有关系，因为这一行很长，不是导航栏，而是正文的一部分内容。",
    "2021-03-12 08:30",  # dates are not menus ('-' is not a separator)
    "马克·吐温",  # one separator only
    "",
    "Lord of the ring",  # short Latin tokens are not a Chinese menu
]


@pytest.mark.parametrize("line", NAVIGATION)
def test_navigation_lines(rules, line):
    assert rules.navigation.is_navigation_line(line)


@pytest.mark.parametrize("line", CONTENT)
def test_content_lines(rules, line):
    assert not rules.navigation.is_navigation_line(line)


def test_long_footer_line_matched_by_pattern_only_up_to_twice_the_limit(rules):
    footer = "本网站所有内容版权所有，未经许可不得转载" + "某" * 40
    assert len(footer) <= 80 and rules.navigation.is_navigation_line(footer)
    assert not rules.navigation.is_navigation_line(footer + "某" * 30)


def test_strip_navigation_counts_removed_lines(rules):
    text = "首页 | 新闻 | 体育\n正文第一段，内容很长很长。\n返回顶部\n正文第二段。"
    assert strip_navigation(text, rules.navigation) == ("正文第一段，内容很长很长。\n正文第二段。", 2)


@pytest.mark.parametrize(
    ("line", "navigation"),
    [
        ("楼主", True),
        ("只看该作者 电梯直达", True),
        ("回复 引用 举报", True),
        ("使用道具 举报", True),
        ("支持楼主的观点，我们小区也是这样。", False),
        ("我支持你", False),
    ],
)
def test_forum_furniture_lines(rules, line, navigation):
    assert rules.navigation.is_navigation_line(line) is navigation
