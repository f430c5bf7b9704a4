package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The assignments' page (指派): for those who assign, the assignments of
// the items and cases they see (of one petition or case with ?petition=
// or ?case=) and the form that gives one; for the outside roles, their
// own, with the links to what they were given and the form of their work
// notes.

type assignmentsView struct {
	base
	Items     []*xinfang.Assignment
	Users     []apiAssignableUser
	Roles     []xinfang.Label
	Form      url.Values
	Filter    string // what the list is of, in words
	CanAssign bool
	Me        int64
	// Open is the assignment whose form a refused post comes back to.
	Open int64
}

// CanNote reports whether the viewer may record work on a.
func (v *assignmentsView) CanNote(a *xinfang.Assignment) bool {
	return a.Active() && (v.CanAssign || a.UserID == v.Me)
}

func (s *Server) handleAssignments(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	q := r.URL.Query()
	if v := q.Get("petition"); v != "" {
		form.Set("petition", v)
	}
	if v := q.Get("case"); v != "" {
		form.Set("case", v)
	}
	return s.renderAssignments(w, r, http.StatusOK, form, 0, nil)
}

func (s *Server) renderAssignments(w http.ResponseWriter, r *http.Request, status int, form url.Values, open int64, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &assignmentsView{Roles: xinfang.AssignmentRoles, Form: form, CanAssign: xinfang.CanAssign(u), Me: u.ID, Open: open}
	v.Title, v.Nav = "指派", "assignments"
	q := r.URL.Query()
	f := xinfang.AssignmentFilter{Mine: !v.CanAssign}
	if p := q.Get("petition"); p != "" {
		f.PetitionID, _ = strconv.ParseInt(p, 10, 64)
		v.Filter = "信访件 " + p
	}
	if c := q.Get("case"); c != "" {
		id, err := s.caseRef(r, c)
		if err != nil {
			if xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				return err
			}
			id = -1
		}
		f.CaseID, v.Filter = id, "积案 "+c
	}
	var err error
	if v.Items, err = s.Assignments.FindAssignments(r.Context(), f); err != nil {
		return err
	}
	if v.CanAssign {
		users, err := s.Assignments.AssignableUsers(r.Context())
		if err != nil {
			return err
		}
		v.Users = assignable(users)
	}
	s.fillBase(r, &v.base)
	switch q.Get("done") {
	case "assign":
		v.Notice = "已指派。"
	case "end":
		v.Notice = "指派已结束。"
	case "note":
		v.Notice = "工作记录已保存。"
	}
	if ferr != nil {
		v.Notice = ""
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "assignments.html", v)
}

func (s *Server) handleCreateAssignment(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	a := &xinfang.Assignment{Role: xinfang.AssignmentRole(form.Get("role")), Task: form.Get("task")}
	a.UserID, _ = strconv.ParseInt(form.Get("user_id"), 10, 64)
	if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
		id, err := s.discFormPetition(r, ref)
		if err != nil {
			probs.Add("petition_id", "信访件 "+ref+" 不存在或无权查看")
		}
		a.PetitionID = id
	}
	if ref := strings.TrimSpace(form.Get("case")); ref != "" {
		id, err := s.caseRef(r, ref)
		if err != nil {
			probs.Add("case_id", "积案 "+ref+" 不存在或无权查看")
		}
		a.CaseID = id
	}
	err := probs.Err()
	if err == nil {
		err = s.Assignments.Assign(r.Context(), a)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderAssignments(w, r, http.StatusUnprocessableEntity, form, 0, err)
	}
	back := "/assignments?done=assign"
	if a.PetitionID != 0 {
		back = "/assignments?petition=" + strconv.FormatInt(a.PetitionID, 10) + "&done=assign"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// assignmentForm serves the end and note forms of an assignment.
func assignmentForm(step string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		form := r.PostForm
		if step == "end" {
			_, err = s.Assignments.EndAssignment(r.Context(), id, form.Get("end_note"))
		} else {
			_, err = s.Assignments.AddWorkNote(r.Context(), id, form.Get("text"))
		}
		if err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderAssignments(w, r, http.StatusUnprocessableEntity, form, id, err)
			case xinfang.ECONFLICT:
				return s.renderAssignments(w, r, http.StatusConflict, form, id, err)
			}
			return err
		}
		http.Redirect(w, r, "/assignments?done="+step+"#assignment-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
}
