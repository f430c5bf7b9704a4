// Package similar finds repeat petitions (重复信访): given a new petition and
// earlier ones fetched by storage, it says which earlier ones may be the same
// matter (同一事项), with a score and reasons in Chinese for the registrar.
//
// It is pure: no I/O, no clock, no global state, standard library only. It
// must never import other packages of the application; callers convert their
// records to Petition.
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
// Text is folded (full-width to half-width, lower case), stripped of
// punctuation and split into tokens: a CJK character, a Latin word, or a
// figure read to its value, so that 4.2万元, 四万二 and 42000元 agree, as do
// 3.6亩 and 三点六亩 or 2019年 and 二〇一九年. Bigrams of tokens are the unit
// of comparison. Each bigram is weighted by what its two tokens belong to,
// found by matching two built-in word lists against the text:
//
//	1.0   both content (张湾, 猪场, 42000元)
//	0.5   content next to anything else (村的, 映张 in 反映张湾村)
//	0.4   touches a topic word, which names a kind of matter, not the matter
//	      (征地, 补偿, 工资, 拖欠, 污染, 低保, 物业 …)
//	0.05  boilerplate every petition uses (反映, 要求, 问题, 村民, 政府, 解决,
//	      情况, 部门, 希望, 请求, 领导 …), also across words (映问 in 反映问题),
//	      and function characters (的, 了, 把 …)
//
// TextSimilarity is the mean of the weighted Dice and the weighted overlap
// coefficient of two bigram sets. The weights come from built-in word lists,
// not from an IDF table over the stored petitions: a fingerprint then depends
// on its text alone, so fingerprints made years apart or on another instance
// stay comparable, and nothing is recomputed as the corpus grows.
//
// # Same matter
//
// SameMatter takes the text similarity T of 概况+投诉内容 and adds what is
// known of place, kind and person:
//
//	same 问题属地 code                          +0.08
//	one code contains the other (town, village)  +0.04
//	two villages of one town                    −0.30
//	two towns of one county                     −0.40
//	further apart                               −0.50
//	the texts name different 村/社区/小区         −0.50
//	same 内容分类 (or one is a prefix of the other) +0.04
//	a petitioner key in common                  +0.04
//
// It calls two petitions the same matter from RepeatThreshold (0.23). Place
// weighs most because it separates best: different matters in one village
// share little text, while petitions about the same kind of matter in two
// villages (one expressway's land compensation, one programme's unpaid
// wages) can read almost alike. The places named in the text catch what the
// codes miss, such as a petition registered under its town's code. The same
// petitioner counts for little: one person may bring several matters, and
// their petitions already share a voice.
//
// # Display
//
// Rank shows more than the repeats. Its score is the SameMatter score,
// raised to IdentityFloor (0.22) for the same petitioner and to LocalityFloor
// (0.20) for the same locality and category within the window; candidates
// below Options.Threshold (DisplayThreshold, 0.20) are left out. Both floors
// are below RepeatThreshold, so Candidate.IsRepeat still means the same
// matter, and the order is: repeats, then the same petitioner, then the same
// place and kind of matter.
//
// EVALUATION.md gives precision and recall on the labelled set in testdata/.
package similar
