package similar

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Traditional characters (金雞嶺村扶貧) are folded to simplified ones
// (金鸡岭村扶贫) before anything else, by OpenCC's t2s dictionaries
// (phrases first, then characters, so 乾淨 becomes 干净 and 乾隆 stays).
// Most texts have no traditional character at all: a bitmap of the
// characters t2s would change lets them through without a dictionary
// look-up.

var t2s struct {
	once sync.Once
	cc   *opencc.OpenCC
	trad *hanSet // characters t2s changes on their own
}

func loadT2S() {
	cc, err := opencc.New("t2s")
	if err != nil {
		panic("similar: opencc t2s: " + err.Error())
	}
	var set hanSet
	for r := rune(0x4E00); r <= 0x9FFF; r++ {
		s := string(r)
		if o, err := cc.Convert(s); err == nil && o != s {
			set[(r-0x4E00)/64] |= 1 << ((r - 0x4E00) % 64)
		}
	}
	t2s.cc, t2s.trad = cc, &set
}

// Simplify folds traditional Chinese characters in s to simplified ones and
// leaves everything else as it is. It is the folding of search (documents
// and queries alike) and the first step of the text comparison here.
func Simplify(s string) string {
	t2s.once.Do(loadT2S)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if t2s.trad.has(r) {
			out, err := t2s.cc.Convert(s)
			if err != nil {
				return s
			}
			return out
		}
		i += n
	}
	return s
}

// paraphrases maps the words petitions use for one thing to one of them, so
// that a telling in the registrar's words and one in the petitioner's share
// their grams: 工钱 and 工资, 回迁房 and 安置房, 俺们 and 我们. It holds
// petition vocabulary only, each entry a word that means the same in every
// matter; a word that names a kind of matter stays itself.
var paraphrases = strings.NewReplacer(
	// people and speech
	"俺们", "我们", "咱们", "我们", "俺家", "我家", "俺", "我", "娃娃", "孩子", "娃", "孩子", "老汉", "老人",
	"咋", "怎么", "啥", "什么", "晓得", "知道", "没得", "没有", "莫得", "没有", "一分钱没", "没",
	"包工头", "老板", "负责人", "老板", "承包人", "老板", "开发方", "开发商",
	// money
	"工钱", "工资", "薪水", "工资", "欠薪", "拖欠工资", "血汗钱", "工资", "劳务费", "工资", "块钱", "元",
	"补助金", "补贴", "补助", "补贴", "津贴", "补贴",
	// housing and land
	"回迁楼", "安置房", "回迁房", "安置房", "回迁安置房", "安置房", "棚户区改造", "棚改",
	"承包田", "承包地", "责任田", "承包地",
	"排水沟", "水沟", "没留沟", "未修水沟", "臭水沟", "水沟",
	"小轿车", "汽车", "轿车", "汽车",
	// acts
	"讨要", "要钱", "催要", "要钱", "要回", "要钱", "不给", "未付", "没给", "未付", "没发", "未付", "未发放", "未付", "未支付", "未付", "没付", "未付",
	"偷挖", "非法采", "偷采", "非法采", "挖沙", "采砂", "采沙", "采砂",
	"断缴", "未缴",
	"跳闸", "停电",
	"打伤", "殴打",
	// places and bodies
	"公安局", "公安", "卫健委", "卫健局", "卫生局", "卫健局", "劳动监察大队", "劳动监察",
	"村干部", "村委", "村委会", "村委", "村支书", "村书记", "支书", "村书记",
)

// foldText is the whole folding of a text for comparison: traditional to
// simplified, then the paraphrase lexicon.
func foldText(s string) string { return paraphrases.Replace(Simplify(s)) }
