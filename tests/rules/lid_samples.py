"""Hand-written language-identification samples (written for this project, not copied from anywhere).

Each list holds one sentence (or one short document) per item. Used by tests/rules/test_language.py and by
bench/lid_bench.py. The Japanese sentences are kanji-heavy on purpose (news, legal and academic register, and
a few headlines with hardly any kana), the hard case for telling Japanese from Chinese; the Cantonese is
written Cantonese (佢哋、嘅、唔係、咗), mostly in traditional script; the mixed documents are Chinese pages
with code, shell commands or English technical terms, which the pipeline must keep.
"""

from __future__ import annotations

JAPANESE = [
    "政府は十五日の閣議で、総額十三兆円規模の経済対策を正式に決定した。",
    "東京都内の百貨店では、年末商戦に向けた売り場の準備が本格化している。",
    "気象庁によると、台風十号は明日未明に九州南部へ上陸する見込みだ。",
    "同社の第三四半期決算は、円安の影響で営業利益が前年同期比二割増となった。",
    "文部科学省は来年度の大学入学共通テストの実施要項を発表した。",
    "地方自治体の財政状況は、少子高齢化の進展により一層厳しさを増している。",
    "被告人は起訴内容を全面的に否認し、弁護側は無罪を主張した。",
    "最高裁判所第一小法廷は原判決を破棄し、審理を高等裁判所に差し戻した。",
    "新型半導体工場の建設計画について、経済産業省が補助金交付を決定した。",
    "京都の寺院では、紅葉の見頃を迎えた庭園に多くの観光客が訪れている。",
    "本研究では、深層学習を用いた画像認識手法の精度向上について検討する。",
    "実験結果から、提案手法は従来手法と比較して処理速度が約三倍向上した。",
    "国土交通省は、老朽化した道路橋梁の定期点検結果を公表した。",
    "日本銀行は金融政策決定会合で、大規模金融緩和策の維持を決めた。",
    "昨夜、北海道東部で震度五弱の地震が発生したが、津波の心配はない。",
    "株主総会では、取締役選任議案が賛成多数で可決された。",
    "厚生労働省は、感染症対策に関する新たな指針を各都道府県に通知した。",
    "私は毎朝七時に起きて、駅前の喫茶店でコーヒーを飲んでから会社に行きます。",
    "週末は家族と一緒に近所の公園へ散歩に出かけました。",
    "この本はとても面白かったので、友達にも勧めたいと思います。",
    "明日の会議資料をまだ準備していないので、今夜は遅くまで残業になりそうです。",
    "昨日買ったばかりの傘を電車の中に忘れてしまった。",
    "江戸時代中期、大阪は全国の物資が集散する商業都市として繁栄した。",
    "明治維新以降、日本は欧米の近代的制度を積極的に導入した。",
    "当該契約の解除に伴う損害賠償請求については、別途協議の上決定する。",
    "本規約は、利用者が本サービスを利用する際の一切の関係に適用される。",
    "首相官邸前では、原子力発電所再稼働に反対する市民団体が抗議活動を行った。",
    "東海道新幹線の東京・新大阪間は、大雪の影響で一時運転を見合わせた。",
    "県警は同日、詐欺容疑で住所不定無職の男を逮捕した。",
    "同大学医学部附属病院は、再生医療技術の臨床研究を開始した。",
    "在留外国人数は過去最多を更新し、人手不足の解消に期待が高まっている。",
    "全国高等学校野球選手権大会の決勝戦は、延長十回の熱戦の末に決着した。",
]

# Headlines with hardly any kana: the hardest case, reported separately (not every model can tell them).
JAPANESE_HEADLINES = [
    "日経平均株価、終値三万八千円台回復",
    "衆議院解散、総選挙日程決定",
    "東京証券取引所、新市場区分移行完了",
    "政府、防衛費増額財源確保策検討開始",
    "大手銀行三行、住宅融資金利引上",
    "北陸新幹線延伸区間、来春開業予定",
]

KOREAN = [
    "오늘 아침 서울에는 올겨울 들어 가장 많은 눈이 내렸습니다.",
    "정부는 내년도 예산안을 국회에 제출했다고 밝혔다.",
    "저는 주말마다 친구들과 함께 한강 공원에서 자전거를 탑니다.",
    "이 식당은 김치찌개가 정말 맛있어서 자주 옵니다.",
    "한국은행은 기준금리를 현재 수준으로 동결하기로 결정했다.",
    "그 회사는 새로운 반도체 공장 건설 계획을 발표했다.",
    "내일은 전국적으로 비가 내리고 기온이 크게 떨어질 전망입니다.",
    "학생들은 다음 주 기말고사를 준비하느라 도서관에 모여 있다.",
    "이번 연구는 인공지능을 활용한 의료 영상 분석의 정확도를 높이는 데 목적이 있다.",
    "부산 국제영화제가 오는 10월 개막을 앞두고 있습니다.",
    "지하철 2호선이 신호 장애로 약 30분간 운행이 지연되었다.",
    "어머니께서 만들어 주신 된장찌개가 그리워요.",
    "회의는 오후 세 시에 본관 2층 대회의실에서 열립니다.",
    "고객님의 주문이 정상적으로 접수되었습니다.",
    "비밀번호를 다섯 번 이상 틀리면 계정이 잠깁니다.",
    "조선 시대에는 과거 시험을 통해 관리를 선발했다.",
    "세종대왕은 백성을 위해 훈민정음을 창제하였다.",
    "경찰은 사고 원인을 조사하고 있다고 밝혔다.",
    "요즘 날씨가 추워서 감기에 걸리는 사람이 많아요.",
    "이 책은 현대 한국 사회의 변화를 잘 보여 준다.",
    "국회는 본회의를 열어 관련 법률 개정안을 통과시켰다.",
    "우리 팀은 어제 경기에서 2대 1로 승리했습니다.",
    "제주도는 아름다운 자연경관 덕분에 관광객이 끊이지 않는다.",
    "새 학기가 시작되면서 캠퍼스가 다시 활기를 되찾았다.",
    "배송은 결제 완료 후 영업일 기준 이삼 일 정도 소요됩니다.",
    "문의 사항이 있으시면 고객센터로 연락해 주시기 바랍니다.",
    "그는 십 년 동안 해외에서 근무한 뒤 고향으로 돌아왔다.",
    "전문가들은 부동산 시장이 당분간 안정세를 보일 것으로 예상했다.",
    "아이들이 놀이터에서 즐겁게 뛰어놀고 있다.",
    "이 프로그램은 무료로 내려받아 사용할 수 있습니다.",
]

ENGLISH = [
    "The city council approved the new budget after a long debate on Tuesday night.",
    "I usually take the early train because it is far less crowded.",
    "Researchers found that regular exercise improves sleep quality in older adults.",
    "Please remember to bring your own water bottle to the hiking trip on Saturday.",
    "The museum will stay closed for renovation until the end of next spring.",
    "Our quarterly revenue grew by eight percent, mostly thanks to online sales.",
    "She spent three years studying marine biology before switching to economics.",
    "Heavy rain is expected across the northern region for the rest of the week.",
    "The new library has a quiet reading room on the top floor with a view of the river.",
    "If you have any questions about your order, contact our support team.",
    "He fixed the old bicycle in the garage and rode it to school the next morning.",
    "The committee will publish its final report after the public consultation ends.",
    "Local farmers say the dry summer has cut their wheat harvest by almost a third.",
    "Click the button below to confirm your email address and activate your account.",
    "The orchestra played a short piece by a young composer before the interval.",
    "Traffic on the main bridge was diverted for several hours after the accident.",
    "Students who miss the deadline must ask their tutor for an extension in writing.",
    "The recipe calls for two cups of flour, one egg and a pinch of salt.",
    "Scientists are still debating what caused the sudden drop in the bird population.",
    "The hotel offers free breakfast and a shuttle bus to the airport.",
    "Many small shops in the old town close early on Sundays.",
    "The team lost the first match but won the next four in a row.",
    "This guide explains how to plant tomatoes in containers on a balcony.",
    "The mayor promised to build more affordable housing near the new station.",
    "After the storm, volunteers helped clear fallen trees from the park.",
    "The software update fixes several bugs and improves battery life.",
    "Children under twelve must be accompanied by an adult at all times.",
    "The company plans to open three new offices in Asia next year.",
    "Reading a few pages every night is a simple way to build a habit.",
    "The bakery on the corner sells the best cinnamon rolls in town.",
]

CANTONESE = [
    "佢哋今日唔喺度，你聽日再嚟啦。",
    "我唔係好明你講乜嘢，可唔可以再講多次？",
    "呢間茶餐廳嘅奶茶真係好好飲。",
    "你食咗飯未呀？我肚餓到死。",
    "佢琴日去咗旺角買嘢，買咗好多衫返嚟。",
    "我哋聽朝一齊去飲茶好唔好？",
    "唔該你幫我攞嗰本書過嚟。",
    "佢成日都遲到，老闆已經好嬲。",
    "呢度啲嘢好貴，不如去第二度睇吓。",
    "落緊雨呀，出門記得帶遮。",
    "佢講嘢好大聲，成架巴士都聽到。",
    "我部電話壞咗，要攞去整。",
    "你係咪鍾意佢呀？講真啦。",
    "今晚有冇人一齊去睇戲？",
    "嗰個細路哭咗成個鐘，點氹都唔得。",
    "我而家喺地鐵站，大概十分鐘後到。",
    "佢話佢唔得閒，下個禮拜先至得。",
    "呢份工人工唔高，但係同事個個都好好人。",
    "嘩，你件衫好靚喎，喺邊度買㗎？",
    "佢屋企好大，有三間房仲有個露台。",
    "我哋公司聽日放假，唔使返工。",
    "咪郁！我幫你影張相先。",
    "佢做嘢好快手，一陣間就搞掂晒。",
    "呢套劇好好睇，我睇咗成晚都唔想瞓。",
    "你知唔知佢哋幾時搬屋？",
    "啲餸凍晒啦，快啲食啦。",
    "我諗住今個暑假去台灣旅行。",
    "佢嘅廣東話講得好好，完全聽唔出佢係外國人。",
    "今日熱到死，我要飲杯凍檸茶先。",
    "呢條路塞車塞到好犀利，不如行路仲快。",
]

# Chinese pages with code, shell commands or English technical terms: must be identified as Chinese.
CHINESE_MIXED = [
    (
        "在 Python 中读取 JSON 文件非常简单，只需要使用标准库里的 json 模块：\n"
        "import json\n"
        "with open('data.json', encoding='utf-8') as f:\n"
        "    data = json.load(f)\n"
        "print(data['name'])\n"
        "这段代码会打开文件并把内容解析成字典，最后输出其中的 name 字段。如果文件不是 UTF-8 编码，需要修改 encoding 参数，"
        "否则会出现解码错误。"
    ),
    (
        "首先更新软件源并安装 nginx：\n"
        "sudo apt-get update\n"
        "sudo apt-get install -y nginx\n"
        "安装完成后，用下面的命令启动服务并设置开机自启：\n"
        "sudo systemctl start nginx\n"
        "sudo systemctl enable nginx\n"
        "最后在浏览器中访问服务器的地址，如果看到欢迎页面，说明安装成功。"
    ),
    (
        "这篇文章介绍如何用 PyTorch 训练一个 Transformer 模型。我们先用 DataLoader 加载数据，再定义 Encoder 和 Decoder，"
        "最后用 AdamW optimizer 和 cosine learning rate schedule 进行训练。实验表明，batch size 设为 256 时 GPU 利用率最高，"
        "显存占用也在可以接受的范围内。"
    ),
    (
        "最近公司在做 microservices 架构迁移，后端从 Spring Boot 换成了 Go，前端用 React 加 TypeScript。CI/CD 流程基于 "
        "GitHub Actions 和 Kubernetes，每次 push 到 main branch 都会自动 deploy 到 staging 环境，测试通过后再手动发布到生产环境。"
    ),
    (
        "楼主你好，我的 iPhone 升级到 iOS 17 之后 WiFi 老是断，重置 network settings 也没用，路由器也换过了，"
        "有没有大佬知道怎么解决？在线等，挺急的。"
    ),
    (
        "这款降噪耳机音质很好，ANC 效果明显，坐地铁基本听不到噪音，但是 touch control 有点不灵敏，"
        "有时候要点两三次才有反应。续航大概三十个小时，总体来说性价比还不错。"
    ),
    (
        "用 git 回滚到上一个版本的方法如下：\n"
        "git log --oneline\n"
        "git reset --hard HEAD~1\n"
        "git push origin main --force\n"
        "注意，强制推送会覆盖远程仓库的历史记录，如果别人已经拉取了你的提交，一定要先和团队沟通。"
    ),
    (
        "下面的 SQL 语句统计每个部门的平均工资，并按从高到低排序：\n"
        "SELECT department, AVG(salary) AS avg_salary\n"
        "FROM employees\n"
        "GROUP BY department\n"
        "ORDER BY avg_salary DESC;\n"
        "如果只想看平均工资超过一万的部门，可以在 GROUP BY 后面加上 HAVING 子句。"
    ),
    (
        "前端同学经常问，为什么在循环里用 var 声明变量会出问题？看这个例子：\n"
        "for (var i = 0; i < 3; i++) {\n"
        "  setTimeout(() => console.log(i), 100);\n"
        "}\n"
        "输出的是三个 3，而不是 0、1、2。原因是 var 没有块级作用域，把 var 改成 let 就可以了。"
    ),
    (
        "使用 Docker 部署这个服务只需要两步。先构建镜像：\n"
        "docker build -t myapp:latest .\n"
        "然后运行容器并把端口映射出来：\n"
        "docker run -d -p 8080:80 --name myapp myapp:latest\n"
        "运行之后用 docker ps 查看容器状态，用 docker logs myapp 查看日志。"
    ),
    (
        "今天的 stand-up meeting 上，产品经理说这个 feature 下周一必须上线，但是 QA 还没测完，backend 的 API "
        "也有两个 bug 没修。我觉得 deadline 定得太紧了，大家都在加班。"
    ),
    (
        "Excel 里面用 VLOOKUP 函数可以根据工号查找员工姓名，公式写成 =VLOOKUP(A2, Sheet2!A:B, 2, FALSE)。"
        "最后一个参数一定要写 FALSE，表示精确匹配，否则查出来的结果可能是错的。"
    ),
    (
        "安装依赖的时候报错 ModuleNotFoundError: No module named 'numpy'，说明当前环境里没有装 numpy。"
        "先确认你用的是哪个 Python 解释器，然后执行 pip install numpy 就可以解决。如果用的是虚拟环境，记得先激活它。"
    ),
    (
        "这家咖啡店的 latte 和 flat white 都很好喝，环境也很 chill，适合周末带着 MacBook 来写点东西。"
        "就是 WiFi 密码要问店员，而且下午人比较多，最好早点来占座。"
    ),
    (
        "我们在 Linux 服务器上排查内存泄漏，一般先用 top 和 free -m 看整体情况，再用 ps aux --sort=-rss | head "
        "找出占用最多的进程。如果是 Java 程序，可以用 jmap 导出 heap dump，再用 MAT 分析对象的引用关系。"
    ),
    (
        "机器学习面试常问的问题包括：什么是 overfitting，怎么用 regularization 和 dropout 缓解；precision 和 recall "
        "的区别是什么；为什么要做 cross validation。回答的时候最好结合自己做过的项目来讲。"
    ),
    (
        "下面是一个最简单的 HTTP 服务器，用 Go 语言写的：\n"
        "package main\n"
        'import "net/http"\n'
        "func main() {\n"
        '    http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })\n'
        '    http.ListenAndServe(":8080", nil)\n'
        "}\n"
        "保存为 main.go 以后执行 go run main.go，然后在浏览器里打开本机的 8080 端口就能看到返回的内容。"
    ),
    (
        "新手配置 VS Code 写 C++ 的步骤：先安装 MinGW 或者 clang，然后在扩展商店里装 C/C++ 插件，再配置 tasks.json "
        "和 launch.json。编译的时候如果提示找不到头文件，检查 includePath 设置是否正确。"
    ),
]

# Short Chinese strings a page is full of (titles, captions, comments): reported in the bench only.
CHINESE_SHORT = [
    "今天天气不错",
    "点击查看更多评论",
    "谢谢楼主分享",
    "这个价格太贵了",
    "明天见",
    "支持一下",
    "好文章，收藏了",
    "周末去哪里玩",
]
