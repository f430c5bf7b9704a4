package demo

import (
	"context"
	"fmt"

	"xinfang"
	"xinfang/internal/sqldb"
)

// Password is the password of every demo account. It passes
// xinfang.CheckPasswordRule, and demo accounts need not change it.
const Password = "Demo@2026"

// cityRegion is the 行政区划代码 of 示范市: province 42, the block 90 of
// county-level cities administered by the province, and a number no real
// city has, so that demo data never points at a real place.
const cityRegion = "429099"

// townSpec is a 镇 or 街道 with its villages or communities (GB/T 2260:
// township numbers 001–099 are 街道, 100–199 镇; village numbers 001–199 are
// 社区居委会, 200–399 村委会).
type townSpec struct {
	key, code, name, number string
	registrar               bool // the town registers petitions itself
	places                  []string
}

var townSpecs = []townSpec{
	{"cd", "CD", "城东街道", "001", true, []string{"东门社区", "朝阳社区", "和平社区", "新华社区", "文昌社区", "东湖社区", "建设社区", "幸福社区"}},
	{"cx", "CX", "城西街道", "002", false, []string{"西关社区", "锦绣社区", "滨河社区", "育才社区", "光明社区", "西苑社区", "民主社区", "团结社区"}},
	{"cn", "CN", "城南街道", "003", false, []string{"南湖社区", "长青社区", "南门社区", "学府社区", "桃园社区", "振兴社区", "金桥社区", "丽景社区"}},
	{"qs", "QS", "青山镇", "101", true, []string{"青山社区", "李家湾村", "王家庄村", "柳树沟村", "石门村", "马鞍山村", "枣园村", "黄土岭村", "大塘村", "龙泉村", "新庄村"}},
	{"hk", "HK", "河口镇", "102", true, []string{"河口社区", "张家渡村", "沙洲村", "渔场村", "杨柳村", "三汊村", "刘家台村", "河湾村", "五里铺村", "新河村", "周家坝村"}},
	{"ll", "LL", "柳林镇", "103", false, []string{"柳林社区", "上柳村", "下柳村", "陈家坪村", "桃花村", "白果村", "松树岗村", "赵家沟村", "兴隆村", "高家堰村", "土门村"}},
	{"sq", "SQ", "石桥镇", "104", true, []string{"石桥社区", "老街村", "孙家湾村", "双井村", "红星村", "油坊村", "铁炉村", "胡家岭村", "花园村", "永丰村", "前进村"}},
	{"bh", "BH", "白鹤镇", "105", false, []string{"白鹤社区", "鹤鸣村", "何家畈村", "金塘村", "观音村", "郑家岗村", "东岳村", "新桥村", "堰塘村", "群力村", "太平村"}},
	{"sh", "SH", "双河镇", "106", false, []string{"双河社区", "东河村", "西河村", "吴家集村", "长岭村", "徐家冲村", "保丰村", "团山村", "联合村", "清泉村", "罗家湾村"}},
	{"xj", "XJ", "新集镇", "107", false, []string{"新集社区", "集镇村", "冯家店村", "古城村", "梅子垭村", "茶园村", "杜家湾村", "丰收村", "光华村", "马家寨村", "胜利村"}},
}

// deptSpec is a unit directly under the city.
type deptSpec struct {
	key, code, name string
	kind            xinfang.UnitKind
}

// staffed reports whether the unit handles items itself and so gets a
// handler and a unit head; the 信访局 and the 联席办 route and supervise.
func (d deptSpec) staffed() bool {
	return d.kind != xinfang.UnitBureau && d.kind != xinfang.UnitJoint
}

var deptSpecs = []deptSpec{
	{"xfj", "XFJ", "示范市信访局", xinfang.UnitBureau},
	{"lxb", "LXB", "示范市信访工作联席会议办公室", xinfang.UnitJoint},
	{"jw", "JWJW", "示范市纪委监委", xinfang.UnitDiscipline},
	{"gaj", "GAJ", "示范市公安局", xinfang.UnitLegal},
	{"jcy", "JCY", "示范市人民检察院", xinfang.UnitLegal},
	{"fy", "FY", "示范市人民法院", xinfang.UnitLegal},
	{"sfj", "SFJ", "示范市司法局", xinfang.UnitLegal},
	{"rsj", "RSJ", "示范市人社局", xinfang.UnitDepartment},
	{"zjj", "ZJJ", "示范市住建局", xinfang.UnitDepartment},
	{"zrzy", "ZRZY", "示范市自然资源局", xinfang.UnitDepartment},
	{"sthj", "STHJ", "示范市生态环境局", xinfang.UnitDepartment},
	{"wjw", "WJW", "示范市卫健委", xinfang.UnitDepartment},
	{"jyj", "JYJ", "示范市教育局", xinfang.UnitDepartment},
	{"mzj", "MZJ", "示范市民政局", xinfang.UnitDepartment},
	{"nync", "NYNC", "示范市农业农村局", xinfang.UnitDepartment},
	{"tyjr", "TYJR", "示范市退役军人事务局", xinfang.UnitDepartment},
	{"jtj", "JTJ", "示范市交通运输局", xinfang.UnitDepartment},
}

// town is a loaded 镇/街道 with its people.
type town struct {
	spec      townSpec
	unit      *xinfang.Unit
	places    []*xinfang.Unit
	handler   *xinfang.User
	head      *xinfang.User
	registrar *xinfang.User // nil where the town does not register
}

// street reports whether the town is a 街道 (urban).
func (t *town) street() bool { return t.spec.number < "100" }

// city is the loaded demo city.
type city struct {
	root               *xinfang.Unit
	province, nation   *xinfang.Unit
	towns              []*town
	units              map[string]*xinfang.Unit // departments by key
	handlers, heads    map[string]*xinfang.User // by department key
	registrars         []*xinfang.User          // at the 信访局
	bureauHead         *xinfang.User            // 信访局 unit head: not-accepts at the bureau, 复查
	jointHead          *xinfang.User            // 联席办: 复核 and hearings
	leader, supervisor *xinfang.User
	inspector          *xinfang.User
	leaders            []*xinfang.User          // who take backlog cases (包案领导)
	users              map[string]*xinfang.User // every account by username
}

// leaderSpec is one of the city's leaders (市四大家领导) who take backlog
// cases; title is the office, for the texts of the demo.
type leaderSpec struct{ username, name, title string }

// caseLeaders are the accounts beyond "leader" and "leader2" that lead
// backlog cases: the city's party committee, government, people's congress
// and political consultative conference each give some.
var caseLeaders = []leaderSpec{
	{"sw.fsj", "李明远", "市委副书记"},
	{"zf.fsz", "王建平", "副市长"},
	{"zf.fsz2", "吴海波", "副市长、市公安局局长"},
	{"rd.fzr", "陈振东", "市人大常委会副主任"},
	{"zx.fzx", "黄淑华", "市政协副主席"},
}

// userSpec is one demo account.
type userSpec struct {
	username, name, unit string // unit: a department key, a town key or "city"
	roles                []xinfang.Role
}

// firstAccounts are the accounts printed at start, in this order.
var firstAccounts = []string{"admin", "security", "auditor", "registrar", "qs.handler", "qs.head", "rsj.handler", "supervisor", "leader", "inspector"}

func userSpecs() []userSpec {
	r := func(rs ...xinfang.Role) []xinfang.Role { return rs }
	specs := []userSpec{
		// 三员分立: three administrators, each holding its role alone.
		{"admin", "系统管理员", "city", r(xinfang.RoleAdmin)},
		{"security", "安全管理员", "city", r(xinfang.RoleSecurityAdmin)},
		{"auditor", "审计管理员", "city", r(xinfang.RoleAuditor)},
		{"leader", "周卫国", "city", r(xinfang.RoleLeader)},
		{"leader2", "郑晓云", "lxb", r(xinfang.RoleLeader)},
		{"registrar", "王丽娟", "xfj", r(xinfang.RoleRegistrar)},
		{"registrar2", "李文斌", "xfj", r(xinfang.RoleRegistrar)},
		{"xfj.head", "张国强", "xfj", r(xinfang.RoleUnitHead)},
		{"supervisor", "赵敏", "xfj", r(xinfang.RoleSupervisor)},
		{"lxb.head", "孙志刚", "lxb", r(xinfang.RoleUnitHead, xinfang.RoleSupervisor)},
		{"inspector", "陈立新", "jw", r(xinfang.RoleInspector)},
		{"lawyer", "黄海涛", "sfj", r(xinfang.RoleLawyer)},
		// The other lawyers of the duty rota (legal.go).
		{"lawyer2", "林志远", "sfj", r(xinfang.RoleLawyer)},
		{"lawyer3", "邱雅琴", "sfj", r(xinfang.RoleLawyer)},
		{"lawyer4", "宋建明", "sfj", r(xinfang.RoleLawyer)},
		{"expert", "林淑珍", "xfj", r(xinfang.RoleExpert)},
		{"mediator", "杨春生", "cd", r(xinfang.RoleMediator)},
		{"observer", "何美玲", "city", r(xinfang.RoleObserver)},
	}
	for _, l := range caseLeaders {
		specs = append(specs, userSpec{l.username, l.name, "city", r(xinfang.RoleLeader)})
	}
	// Staff of the towns and departments: names are fixed so that the demo
	// reads the same on every machine.
	names := []string{
		"刘建军", "陈志强", "吴秀英", "徐海燕", "马德华", "朱晓燕", "胡永明", "郭丽华", "何振华", "高春梅",
		"罗文涛", "梁红梅", "宋立军", "谢玉兰", "唐建华", "许桂英", "韩学军", "冯淑芬", "邓国平", "曹秀兰",
		"彭长青", "曾凤英", "肖明亮", "田晓丽", "董福生", "袁丽娜", "潘志勇", "于海霞", "蒋文杰", "蔡雪梅",
		"余建平", "杜春花", "叶国庆", "程美华", "苏振宇", "魏丽萍", "吕永刚", "丁桂香", "任建设", "沈月娥",
		"姚立华", "卢晓红", "姜宏伟", "崔秀梅", "钟志华", "谭丽君", "陆建新", "汪玉梅", "范德胜", "金晓燕",
		"石国栋", "廖丽芳", "贾永红", "夏春燕", "韦建中", "付晓梅", "方志军", "白雪莲", "邹文华", "孟凡英",
	}
	next := 0
	name := func() string { n := names[next%len(names)]; next++; return n }
	for _, t := range townSpecs {
		specs = append(specs,
			userSpec{t.key + ".handler", name(), t.key, r(xinfang.RoleHandler)},
			userSpec{t.key + ".head", name(), t.key, r(xinfang.RoleUnitHead)})
		if t.registrar {
			specs = append(specs, userSpec{t.key + ".reg", name(), t.key, r(xinfang.RoleRegistrar)})
		}
	}
	for _, d := range deptSpecs {
		if !d.staffed() {
			continue
		}
		specs = append(specs,
			userSpec{d.key + ".handler", name(), d.key, r(xinfang.RoleHandler)},
			userSpec{d.key + ".head", name(), d.key, r(xinfang.RoleUnitHead)})
	}
	return specs
}

// buildCity creates the unit tree and the accounts.
func buildCity(ctx context.Context, db *sqldb.DB) (*city, error) {
	c := &city{units: map[string]*xinfang.Unit{}, handlers: map[string]*xinfang.User{}, heads: map[string]*xinfang.User{}}
	unit := func(parent *xinfang.Unit, code, name string, kind xinfang.UnitKind, region string) (*xinfang.Unit, error) {
		u := &xinfang.Unit{Code: code, Name: name, Kind: kind, RegionCode: region}
		if parent != nil {
			u.ParentID = parent.ID
		}
		if err := db.Directory.CreateUnit(ctx, u); err != nil {
			return nil, fmt.Errorf("unit %s: %w", name, err)
		}
		return u, nil
	}
	var err error
	if c.root, err = unit(nil, "SFS", "示范市", xinfang.UnitCity, cityRegion); err != nil {
		return nil, err
	}
	c.units["city"] = c.root
	for _, d := range deptSpecs {
		u, err := unit(c.root, "SFS-"+d.code, d.name, d.kind, "")
		if err != nil {
			return nil, err
		}
		c.units[d.key] = u
	}
	for _, ts := range townSpecs {
		tu, err := unit(c.root, "SFS-"+ts.code, ts.name, xinfang.UnitTown, cityRegion+ts.number)
		if err != nil {
			return nil, err
		}
		t := &town{spec: ts, unit: tu}
		c.units[ts.key] = tu
		villages := 0
		for i, place := range ts.places {
			number := fmt.Sprintf("%03d", i+1) // 社区居委会
			if !isCommunity(place) {
				villages++
				number = fmt.Sprintf("%03d", 200+villages) // 村委会
			}
			pu, err := unit(tu, fmt.Sprintf("SFS-%s-%02d", ts.code, i+1), ts.name+place, xinfang.UnitVillage, cityRegion+ts.number+number)
			if err != nil {
				return nil, err
			}
			t.places = append(t.places, pu)
		}
		c.towns = append(c.towns, t)
	}
	// Superior bodies stand outside the city's tree: items come down from
	// them (上级交办) and escalated visits go up to them, nothing is sent there.
	if c.nation, err = unit(nil, "GJXFJ", "国家信访局", xinfang.UnitSuperior, ""); err != nil {
		return nil, err
	}
	if c.province, err = unit(nil, "SXFJ", "省信访局", xinfang.UnitSuperior, "420000"); err != nil {
		return nil, err
	}

	specs := userSpecs()
	users := make([]*xinfang.User, len(specs))
	// The accounts share the demo password: one transaction and one
	// argon2id hash for all of them, not ~30 ms of hashing each.
	for i, s := range specs {
		users[i] = &xinfang.User{Username: s.username, Name: s.name, UnitID: c.units[s.unit].ID, Roles: s.roles}
	}
	if err := db.Directory.CreateUsers(ctx, users, Password); err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	for i, u := range users {
		if users[i], err = db.Directory.FindUserByID(ctx, u.ID); err != nil {
			return nil, fmt.Errorf("user %s: %w", u.Username, err)
		}
	}
	byName := map[string]*xinfang.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	for _, t := range c.towns {
		t.handler, t.head, t.registrar = byName[t.spec.key+".handler"], byName[t.spec.key+".head"], byName[t.spec.key+".reg"]
	}
	for _, d := range deptSpecs {
		if d.staffed() {
			c.handlers[d.key], c.heads[d.key] = byName[d.key+".handler"], byName[d.key+".head"]
		}
	}
	c.registrars = []*xinfang.User{byName["registrar"], byName["registrar2"]}
	c.bureauHead, c.jointHead = byName["xfj.head"], byName["lxb.head"]
	c.leader, c.supervisor, c.inspector = byName["leader"], byName["supervisor"], byName["inspector"]
	c.users = byName
	c.leaders = []*xinfang.User{byName["leader"], byName["leader2"]}
	for _, l := range caseLeaders {
		c.leaders = append(c.leaders, byName[l.username])
	}
	return c, nil
}

func isCommunity(place string) bool {
	r := []rune(place)
	return len(r) >= 2 && string(r[len(r)-2:]) == "社区"
}

// accounts returns the accounts a newcomer needs first, as stored.
func accounts(ctx context.Context, db *sqldb.DB) ([]Account, error) {
	var out []Account
	for _, name := range firstAccounts {
		u, err := db.Directory.FindUserByUsername(ctx, name)
		if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
			continue // a database that was not loaded by the demo
		} else if err != nil {
			return nil, err
		}
		out = append(out, Account{Username: u.Username, Password: Password, Name: u.Name, Unit: u.Unit.Name, Roles: u.RoleLabels()})
	}
	return out, nil
}
