package similar

import (
	"strings"
	"unicode/utf8"
)

// stopWords are words found in petitions on any matter: how people ask
// (反映、请求、恳请), whom they ask (政府、部门、领导), what they say about
// every matter (问题、情况、至今、多次). Their bigrams weigh 0.05. Only words
// that say nothing about which matter it is belong here: 补偿, 工资, 低保 or
// 污染 do not, since they separate one kind of matter from another.
var stopWords = strings.Fields(`
反映 要求 问题 村民 群众 居民 老百姓 百姓 政府 处理 解决 情况 相关 有关 部门
我们 他们 你们 希望 请求 恳请 恳求 领导 上级 上面 落实 督促 尽快 赶快 赶紧 马上
一直 至今 多次 没有 依法 按照 规定 政策 工作 进行 目前 现在 已经 自己 村里
村委会 村委 村干部 干部 镇政府 乡政府 县政府 镇里 县里 乡里 帮助 帮忙 答复 回复 说法 信访 来访 来电 本人
我家 家里 什么 时候 这样 但是 因为 所以 如果 以后 之后 当时 今年 去年 前年
一下 这个 那个 这些 那些 事情 可是 还是 就是 不是 根本 结果 说是 表示 认为
造成 导致 严重 影响 生活 同志 主持 公道 做主 给予 予以 及时 核查 核实 调查
查处 查清 查一查 管一管 出面 过问 重视 关注 协调 一些 一样 这种 个别 上报
答应 承诺 其中 之间 来人 派人 看看 一个 一次 几次 好几 到现在 怎么 为什么
只能 只是 不能 不敢 不给 不管 没人 没见 一点 现已 是否 明确 具体 真正
`)

// topicWords name the kind of matter, not the matter: every land-acquisition
// petition says 征地 and 补偿, every wage petition 拖欠 and 工资, every
// pollution petition 污染 and 环保. Shared topic words make two petitions
// alike in kind; what makes them the same matter is the rest (the place, the
// enterprise, the people, the figures), so topic bigrams weigh less than
// those. The list covers the whole 内容分类 dictionary, not only the kinds of
// matter in the test set.
var topicWords = strings.Fields(`
征地 征收 征用 拆迁 补偿 补偿款 安置 安置房 过渡费 评估 土地 耕地 林地 承包 承包地 流转 租金
宅基地 确权 建房 房屋 房子 违建 违章 占用 侵占 面积 平方米 每亩
工资 拖欠 欠薪 工钱 农民工 务工 打工 工地 工程 工程款 包工头 施工 总包 分包 项目 老板
劳动 合同 工伤 社保 养老 养老金 保险 医保 报销 缴费 退休 失业 就业
低保 救助 特困 五保 供养 残疾 残联 补贴 补助 困难 贫困 脱贫 扶贫 资金
污染 环保 环境 噪声 噪音 粉尘 灰尘 废气 废水 排放 扰民 臭味 气味 养殖 养殖场 垃圾 油烟
医院 医生 治疗 手术 住院 医疗 就医 看病 卫生院 卫健委 卫健 药费 费用
赔偿 纠纷 调解 协议 事故 责任 鉴定
物业 物业费 业主 小区 电梯 维修 停车 车位 收费 开发商 质量 漏水 渗水 开裂
学校 学生 孩子 入学 上学 学位 教育 教育局 老师 校车 幼儿园 小学 中学
法院 判决 执行 起诉 诉讼 案件 派出所 公安 报案 立案 民警 律师
退役 军人 部队 服役 入伍 退伍 抚恤 优抚
村务 公开 账目 财务 集体 分红 贪污 挪用 纪委 检举 举报
道路 修路 公路 路面 交通 车辆 桥梁
自来水 饮水 用水 停水 用电 供电 停电 燃气 供暖
企业 公司 工厂 厂里 厂子 单位
街道 社区 住建 住建局 民政 民政局 人社 人社局 自然资源 城管 水利 林业
标准 金额 每月 每年 发放 支付 兑现 申请 审批 审核 办理 手续 材料 证明
`)

// lightChars are function characters: next to content they halve a bigram's
// weight; with each other or with stop words they weigh as a stop word.
const lightChars = "的了着是在和与及也都就还又把被给让我你他她们这那个说要到对将之其而并但却才已很吗呢吧啊呀啦么得"

// Token roles: what a token is part of in its text.
const (
	roleContent = iota
	roleLight   // a function character standing alone
	roleTopic   // part of a topic word
	roleStop    // part of a stop word and of no topic word
)

type word struct {
	text string
	n    int // characters
	role uint8
}

// wordsByStart indexes the stop and topic words by their first two
// characters, so each position of a text costs one look-up.
var wordsByStart = func() map[[2]rune][]word {
	m := map[[2]rune][]word{}
	add := func(ws []string, role uint8) {
		for _, w := range ws {
			rs := []rune(w)
			k := [2]rune{rs[0], rs[1]}
			m[k] = append(m[k], word{text: w, n: len(rs), role: role})
		}
	}
	add(stopWords, roleStop)
	add(topicWords, roleTopic)
	return m
}()

var (
	lightSet     = newHanSet(lightChars)
	wordStartSet = func() *hanSet {
		var b strings.Builder
		for _, w := range append(stopWords[:len(stopWords):len(stopWords)], topicWords...) {
			r, _ := utf8.DecodeRuneInString(w)
			b.WriteRune(r)
		}
		return newHanSet(b.String())
	}()
)

// tokenRoles gives each token its role. A token inside a stop word and a topic
// word (征地 in 反映征地) counts as topic, the more telling of the two.
func tokenRoles(t *text) {
	toks := t.toks
	for i := 0; i+1 < len(toks); i++ {
		if !wordStartSet.has(toks[i].r) || toks[i+1].r == 0 {
			continue
		}
		for _, w := range wordsByStart[[2]rune{toks[i].r, toks[i+1].r}] {
			if i+w.n > len(toks) || string(t.bytes(i, i+w.n)) != w.text {
				continue
			}
			for k := i; k < i+w.n; k++ {
				if toks[k].role != roleTopic {
					toks[k].role = w.role
				}
			}
		}
	}
	for i := range toks {
		if toks[i].role == roleContent && lightSet.has(toks[i].r) {
			toks[i].role = roleLight
		}
	}
}

// gramClass returns the weight class (see classWeights) of the gram of
// tokens [i, j): two content tokens make a content gram; content next to
// anything else (村的, 映张 in 反映张湾村) half of one; a gram touching a topic
// word a topic gram; the rest (反映, 映问 in 反映问题, 的了) boilerplate.
func (t *text) gramClass(i, j int) int {
	content, topic := 0, false
	for _, tok := range t.toks[i:j] {
		switch tok.role {
		case roleContent:
			content++
		case roleTopic:
			topic = true
		}
	}
	switch {
	case content == j-i:
		return 0
	case content > 0:
		return 1
	case topic:
		return 2
	}
	return 3
}
