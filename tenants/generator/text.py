"""Chinese text for synthetic data: place names, people, and opinions built from
templates × places × topics, varied enough that search has something to find."""
from __future__ import annotations

import random

TOWNSHIP_SUFFIXES = ["镇", "镇", "乡", "街道"]
VILLAGE_SUFFIXES = ["村", "村", "村", "村", "社区"]
# Two-syllable place names: common Yunnan toponym syllables.
PLACE_SYLLABLES = (
    "安宁和平兴隆永胜长乐新民团结光明红星金沙清水石桥龙泉凤鸣松林梅园竹园茶山白塔高原彩云春城"
    "大坪小河沙坝营盘马街羊街者海鲁甸碧鸡海口滇源阿拉双龙盘溪普渡观音凤凰龙潭黑井板桥"
    "河口新街旧寨上村下村中和坡头腊撒勐海勐腊景洪曼庄那乃芒市遮放弄璋户撒漾濞喜洲凤羽"
)

SURNAMES = (
    "李王张刘杨赵陈段普者罗字刀岩和杞沙马周吴黄徐孙朱胡郭何高林郑梁宋唐许邓冯韩曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁"
    "任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤施"
)
GIVEN = "建国华平秀英丽红明军文伟强芳燕玲云海涛波静洁兰梅萍斌勇杰志刚春福贵荣德成玉金凤琼仙莲顺祥发昌林松琴桂珍艳娟敏"
ETHNICITIES = [("汉族", 62), ("彝族", 11), ("哈尼族", 4), ("白族", 4), ("傣族", 3), ("壮族", 3), ("苗族", 3), ("回族", 2),
               ("傈僳族", 2), ("拉祜族", 1), ("佤族", 1), ("纳西族", 1), ("瑶族", 1), ("藏族", 1), ("景颇族", 1)]
OCCUPATIONS = [
    "村党总支书记", "村委会主任", "社区居委会主任", "乡镇卫生院院长", "小学校长", "中学教师", "种植大户", "养殖专业户",
    "农民专业合作社理事长", "个体工商户", "民营企业董事长", "公司总经理", "乡村医生", "律师事务所主任", "县医院医生",
    "茶叶种植户", "咖啡种植户", "烤烟种植户", "花卉企业负责人", "旅游公司经理", "客运站站长", "环卫工人", "退休干部",
    "镇党委书记", "镇长", "街道办事处主任", "县人大常委会委员", "县政府副县长", "州市人大常委会委员", "农技推广站站长",
]

ROADS = ["G213国道", "G320国道", "G214国道", "G326国道", "G323国道", "S101省道", "昆磨高速", "杭瑞高速", "县道", "乡村公路", "通村公路", "环湖路"]
CROPS = ["烤烟", "咖啡", "茶叶", "核桃", "花卉", "蔬菜", "甘蔗", "橡胶", "三七", "马铃薯", "柑橘", "芒果", "蓝莓"]

# Topics by province category code: (keyword, problem, request). {p} place, {q} second
# place, {r} road, {c} crop, {n} a number.
TOPICS: dict[str, list[tuple[str, str, str]]] = {
    "transport": [
        ("路灯", "{p}主干道路灯长期损坏，夜间出行存在安全隐患", "尽快维修更换路灯，增设太阳能路灯"),
        ("道路硬化", "{p}至{q}的通组道路至今仍是土路，雨季泥泞难行", "将该路段纳入道路硬化项目"),
        ("国道改造", "{r}{p}段路面破损严重，大货车通行频繁，事故多发", "协调公路部门对{r}该路段进行改造"),
        ("公交线路", "{p}群众到县城看病办事只能搭乘私人车辆", "开通{p}至县城的公交线路"),
        ("桥梁", "{p}河上的便桥年久失修，汛期无法通行", "新建或加固{p}河桥梁"),
        ("停车难", "{p}农贸市场周边停车难，车辆乱停乱放堵塞交通", "规划建设停车场，规范停车秩序"),
        ("交通安全", "{r}经过{p}学校门口路段没有减速带和斑马线", "在学校门口增设减速带、斑马线和警示标志"),
    ],
    "agriculture": [
        ("饮水安全", "{p}{n}户群众饮水水源受到污染，旱季经常断水", "实施农村饮水安全巩固提升工程"),
        ("灌溉", "{p}灌溉沟渠渗漏严重，{n}亩农田缺水", "修缮灌溉沟渠，建设高效节水灌溉设施"),
        ("农产品收购", "{p}{c}收购价格偏低，种植户增产不增收", "引进龙头企业，稳定{c}收购价格"),
        ("技术培训", "{p}{c}种植户缺乏技术指导，病虫害防治效果差", "组织农技人员到{p}开展{c}种植技术培训"),
        ("农业保险", "{p}遭受冰雹灾害，{c}受损严重，理赔进度慢", "加快农业保险理赔，扩大政策性保险覆盖面"),
        ("土地流转", "{p}土地流转合同不规范，流转费用拖欠", "规范土地流转管理，督促企业按时支付流转费"),
        ("护林防火", "{p}护林员待遇偏低，森林防火力量不足", "提高护林员补助，加强森林防火设施建设"),
    ],
    "education_culture_health": [
        ("学校", "{p}小学校舍老旧，学生宿舍拥挤", "改扩建{p}小学，改善寄宿条件"),
        ("幼儿园", "{p}没有公办幼儿园，适龄儿童入园难", "在{p}新建一所公办幼儿园"),
        ("医保报销", "{p}群众反映异地就医医保报销手续繁琐，报销比例低", "简化异地就医备案和医保报销流程"),
        ("村卫生室", "{p}村卫生室缺医少药，乡村医生待遇低", "配齐村卫生室药品设备，落实乡村医生待遇"),
        ("家庭医生", "{p}家庭医生签约服务流于形式，老人慢病随访不到位", "落实家庭医生签约服务，加强慢病随访"),
        ("文化活动", "{p}缺少文化活动场所，群众文体活动开展难", "建设{p}文化活动广场，配置健身器材"),
        ("校车", "{p}学生上学路途远，家长接送困难", "开通{p}至中心学校的校车"),
    ],
    "environment": [
        ("垃圾处理", "{p}生活垃圾收运不及时，垃圾堆放影响村容村貌", "增设垃圾收集点，建立垃圾清运长效机制"),
        ("污水治理", "{p}生活污水直排河道，{q}下游水质变差", "建设{p}污水收集管网和处理设施"),
        ("河道治理", "{p}河道淤塞，汛期河水倒灌农田", "开展{p}河道清淤和堤防加固"),
        ("噪音扰民", "{p}附近采石场夜间施工，噪音和粉尘扰民", "督促采石场规范作业，加强环境执法"),
        ("厕所革命", "{p}公共厕所数量少且卫生差", "推进{p}公厕改造，落实保洁管理"),
        ("湖泊保护", "{p}周边养殖污染影响湖泊水质", "加强湖泊保护治理，规范周边养殖"),
    ],
    "urban_rural": [
        ("老旧小区改造", "{p}老旧小区管网老化，雨天积水，楼道无灯", "将{p}纳入老旧小区改造计划"),
        ("农村危房", "{p}{n}户群众住房存在安全隐患", "加快农村危房改造，保障住房安全"),
        ("电网改造", "{p}电压不稳，农忙时经常停电", "实施{p}农村电网升级改造"),
        ("网络信号", "{p}移动网络信号差，群众上网和电商销售困难", "协调通信企业在{p}建设基站"),
        ("物业管理", "{p}小区物业服务差，收费不透明", "加强物业监管，规范物业收费"),
        ("地质灾害", "{p}后山存在滑坡隐患，雨季威胁{n}户群众安全", "开展地质灾害治理或实施避险搬迁"),
    ],
    "law_social_security": [
        ("养老保险", "{p}部分老人养老金领取资格认证困难", "推行上门认证和线上认证，方便老年人"),
        ("低保", "{p}低保评定不够公开透明", "规范低保评定程序，公开评定结果"),
        ("农民工工资", "{p}{n}名农民工被拖欠工资", "督促用工单位及时足额支付工资"),
        ("治安", "{p}夜间治安状况差，偷盗事件时有发生", "增设监控探头，加强夜间巡逻"),
        ("残疾人", "{p}残疾人康复服务不足，辅具申领难", "完善残疾人康复服务，简化辅具申领"),
        ("矛盾纠纷", "{p}与{q}因山林权属长期存在纠纷", "依法调处山林权属纠纷"),
    ],
    "economy": [
        ("就业", "{p}返乡青年就业渠道少", "组织招聘会和职业技能培训，扶持返乡创业"),
        ("营商环境", "{p}个体工商户办理证照跑路多", "推行一窗通办，优化营商环境"),
        ("乡村旅游", "{p}旅游资源丰富但配套设施缺乏", "完善{p}乡村旅游基础设施，打造特色旅游线路"),
        ("电商", "{p}{c}销售渠道单一", "建设农村电商服务站，拓宽{c}销售渠道"),
        ("集市", "{p}农贸市场设施简陋，雨天无法经营", "改造提升{p}农贸市场"),
    ],
    "other": [
        ("政务服务", "{p}便民服务中心办事窗口少，排队时间长", "增加办事窗口，推行延时服务"),
        ("代表联系", "{p}群众希望代表定期到村里听取意见", "建立代表定期进站接待制度"),
        ("殡葬", "{p}公益性公墓建设滞后", "规划建设公益性公墓"),
    ],
}
CATEGORY_WEIGHTS = {"transport": 18, "agriculture": 17, "urban_rural": 15, "education_culture_health": 16,
                    "environment": 11, "law_social_security": 11, "economy": 8, "other": 4}

TITLE_TEMPLATES = [
    "关于{p}{k}问题的建议", "关于解决{p}{k}问题的意见", "{p}群众反映{k}问题", "建议加快解决{p}{k}问题",
    "关于{k}的建议", "反映{p}{k}有关情况", "{p}{k}问题亟待解决", "请求解决{p}{k}困难",
]
OPENINGS = {
    "reception": ["{who}在接待日反映，", "{who}来站反映：", "群众{who}在代表接待时提出："],
    "deputy": ["经代表走访了解，", "代表入户走访时，{who}反映：", "代表调研发现，"],
    "observer": ["民情观察员收集到，", "据民情观察员反映，", "{who}向民情观察员反映："],
    "box": ["意见箱收到群众来信反映：", "群众通过意见箱反映，"],
    "online": ["{who}通过网上代表联络站留言：", "网友{who}留言反映，", "{who}在线上平台反映："],
}
IMPACTS = ["群众意见较大。", "给生产生活带来不便。", "已持续{y}年之久。", "涉及群众约{n}户。", "多次反映未得到解决。", "存在安全隐患。", ""]
CLOSINGS = ["建议{r}。", "希望有关部门{r}。", "恳请{r}。", "请代表帮助反映，{r}。"]

REPLY_TEMPLATES = [
    "经调查核实，{k}问题情况属实，已协调有关部门落实整改，{x}。",
    "已将意见转交相关部门办理，相关部门表示将在{y}年纳入计划统筹解决。",
    "该问题已列入年度项目计划，正在推进实施，预计年底前完成。",
    "经核实，该事项涉及诉讼程序，已向群众解释相关政策并引导依法解决。",
    "感谢对工作的关心支持，{k}问题已解决，{x}。",
]


def place_name(rng: random.Random, suffix: str) -> str:
    return "".join(rng.sample(PLACE_SYLLABLES, 2)) + suffix


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def masked_citizen(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(("先生", "女士", "大爷", "大妈", "某某"))


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def ethnicity(rng: random.Random) -> str:
    return rng.choices([e for e, _ in ETHNICITIES], weights=[w for _, w in ETHNICITIES])[0]


def category_code(rng: random.Random) -> str:
    return rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]


def opinion_text(rng: random.Random, category: str, place: str, other_place: str, who: str, channel: str = "reception") -> tuple[str, str, str]:
    """(title, content, topic keyword) for one opinion."""
    keyword, problem, request = rng.choice(TOPICS[category])
    fill = {"p": place, "q": other_place, "r": rng.choice(ROADS), "c": rng.choice(CROPS), "n": rng.randint(3, 400)}
    problem, request = problem.format(**fill), request.format(**fill)
    title = rng.choice(TITLE_TEMPLATES).format(p=place if rng.random() < 0.7 else "", k=keyword)
    content = (rng.choice(OPENINGS.get(channel) or OPENINGS["reception"]).format(who=who) + problem + "，"
               + rng.choice(IMPACTS).format(y=rng.randint(2, 10), n=rng.randint(5, 300))
               + rng.choice(CLOSINGS).format(r=request))
    return title[:200], content, keyword


def reply_text(rng: random.Random, keyword: str, year: int) -> str:
    return rng.choice(REPLY_TEMPLATES).format(k=keyword, y=year + 1, x=rng.choice(["群众表示满意", "施工已完成", "已落实专项资金", "将持续跟踪"]))


def rng_topic(rng: random.Random) -> str:
    """A short topic for an activity or a visitor's matter, e.g. "饮水安全问题"."""
    keyword = rng.choice(TOPICS[category_code(rng)])[0]
    return keyword + rng.choice(("问题", "情况", "工作", "专题"))
