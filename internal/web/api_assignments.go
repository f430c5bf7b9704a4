package web

import (
	"net/http"

	"xinfang"
)

// The API of assignments (指派), openapi_assignments.json.

func (s *Server) apiAssignments(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	f := xinfang.AssignmentFilter{PetitionID: q.id("petition_id"), CaseID: q.id("case_id")}
	if b := q.boolean("mine"); b != nil {
		f.Mine = *b
	}
	if b := q.boolean("active"); b != nil {
		f.Active = *b
	}
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.Assignments.FindAssignments(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Assignment]{Items: items})
	return nil
}

// apiAssignmentInput is what a client sends to assign.
type apiAssignmentInput struct {
	UserID     int64  `json:"user_id"`
	Role       string `json:"role"`
	PetitionID int64  `json:"petition_id"`
	CaseID     int64  `json:"case_id"`
	Task       string `json:"task"`
}

func (s *Server) apiCreateAssignment(w http.ResponseWriter, r *http.Request) error {
	var in apiAssignmentInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a := &xinfang.Assignment{UserID: in.UserID, Role: xinfang.AssignmentRole(in.Role), PetitionID: in.PetitionID, CaseID: in.CaseID, Task: in.Task}
	if err := s.Assignments.Assign(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiAssignment(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.Assignments.FindAssignmentByID)
}

func (s *Server) apiEndAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		EndNote string `json:"end_note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.Assignments.EndAssignment(r.Context(), id, in.EndNote)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) apiAssignmentNote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.Assignments.AddWorkNote(r.Context(), id, in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// apiAssignableUser is an account that may be assigned, and as what.
type apiAssignableUser struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	UnitName string   `json:"unit_name"`
	Roles    []string `json:"roles"` // the assignment roles it may take
}

func assignable(users []*xinfang.User) []apiAssignableUser {
	out := []apiAssignableUser{}
	for _, u := range users {
		a := apiAssignableUser{ID: u.ID, Name: u.Name}
		if u.Unit != nil {
			a.UnitName = u.Unit.Name
		}
		for _, r := range xinfang.AssignmentRoles {
			if xinfang.CanBeAssigned(u, xinfang.AssignmentRole(r.Code)) {
				a.Roles = append(a.Roles, r.Code)
			}
		}
		out = append(out, a)
	}
	return out
}

func (s *Server) apiAssignableUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.Assignments.AssignableUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[apiAssignableUser]{Items: assignable(users)})
	return nil
}
