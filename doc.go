// Package xinfang is the domain of the petition system: petitions (信访件)
// and their petitioners, backlog cases (信访积案), 督办单, the discipline
// records, units and users; the codes of every list with their Chinese
// labels; the validation of input; the policies that say who may do what
// (policy.go); the lifecycles of cases, 督办单 and investigations as
// transition tables; the login rules that lock and slow password guessing
// (login.go); and the one error type whose codes only the HTTP layer
// turns into status codes. GLOSSARY.md names each concept from the statute
// to the JSON field.
//
// It does no I/O and imports no other package of the application but
// internal/calendar (Asia/Shanghai dates, a pure leaf like time); storage,
// the procedure and the HTTP layer import it, never the other way round
// (arch_test.go holds this).
package xinfang
