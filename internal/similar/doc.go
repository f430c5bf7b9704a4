// Package similar finds repeat petitions (重复信访): given a new petition and
// earlier ones fetched by storage, it says which earlier ones may be the same
// matter (同一事项), with a score and reasons in Chinese for the registrar.
//
// It does no I/O and keeps no state beyond read-only tables (the OpenCC
// dictionaries, loaded once); its one dependency is
// github.com/longbridgeapp/opencc. It must never import other packages of
// the application; callers convert their records to Petition.
//
// # Where candidates come from
//
// Storage gathers candidates cheaply and this package ranks them: (a) the
// same petitioner (keyed hashes of ID number, phone, organisation code),
// (b) the same 问题属地 and 内容分类 within Options.Window, (c) petitions
// sharing fingerprint values with the new one. A fingerprint value carries
// its weight class in its top two bits, so an index can keep only classes 0
// and 1 and look up the grams that say something.
//
// # Text
//
// Text is folded from traditional to simplified characters (Simplify, also
// used by search) and through a small paraphrase lexicon of petition
// vocabulary (工钱/工资, 回迁楼/安置房, 俺们/我们), then full-width to
// half-width and lower case, stripped of punctuation and split into tokens:
// a CJK character, a Latin word, or a figure read to its value, so that
// 4.2万元, 四万二 and 42000元 agree, as do 3.6亩 and 三点六亩. Bigrams of
// tokens are hashed into a sorted fingerprint; each carries a weight class
// from built-in word lists (content 1.0, next to content 0.5, topic words
// 0.4, boilerplate 0.05), so a fingerprint depends on its text alone.
// FingerprintVersion changes whenever the fingerprint of a text would.
//
// The corpus then weighs the grams: storage counts in how many stored
// petitions each indexed gram occurs (Corpus), and a gram every petition of
// the city uses (经多次讨要未果, 至今没有任何部门联系) weighs nothing.
//
// # Same matter
//
// SameMatter and Rank compute features of a pair and combine them by a
// logistic model: the text similarity, the share of the new petition's
// grams, by corpus rarity, the other has; whether the texts agree or
// conflict on the villages, towns or streets, street addresses,
// organisations (hospitals, police stations, companies, named by the two
// characters before their kind), people (X某, 我叫…), amounts, areas and
// years they name; a near-copy that names another place or other figures
// (a template letter sent twice); whether one comes back on an earlier
// item (再次反映, 三月份反映过) and names the month of the other; the same
// or another petitioner, 问题属地 and 内容分类 — the last two only within
// the window. The weights (weights.go) are fitted by `go generate`
// (internal/fit) on the development part of the labelled set, every pair
// with its codes and with its text alone, each weight kept to the side its
// feature can count on; RepeatThreshold is the two-decimal score of best
// mean F1 of the two modes there.
//
// The places, bodies, people and follow-up marks are found by small
// matchers written by hand (match.go), each with the leftmost-first
// semantics of the regular expression in its comment; match_test.go holds
// the regular expressions and checks the two agree on every labelled text
// and on random and fuzzed strings. Package regexp's backtracker had
// taken two thirds of the time of indexing a petition.
//
// The score is the model's probability rounded to two decimals, and the
// decision is taken on the rounded score, so a score shown is marked
// 疑似同一事项 exactly when it reaches RepeatThreshold. SameMatter does not
// depend on the order of its arguments.
//
// # Display
//
// Rank shows more than the repeats: its score is raised to IdentityFloor
// for the same petitioner and to LocalityFloor for the same locality and
// category within the window, both below RepeatThreshold, and candidates
// below DisplayThreshold are left out. The reasons say which person, place
// and matter features agreed or conflicted.
//
// EVALUATION.md gives the figures on the labelled sets in testdata/.
package similar
