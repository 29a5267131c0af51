package redshift

import (
	"context"
	"errors"
	"net"

	"github.com/jackc/pgx/v5/pgproto3"
)

// errReset ends a session on purpose (an injected connection reset).
var errReset = errors.New("connection reset")

// session relays one client session to its upstream PostgreSQL session.
// Messages are handled one at a time, in order: each one forwarded
// upstream is followed by a Flush, and its replies are relayed before the
// next client message is read, so that locally answered statements
// (UNLOAD) take their place in the reply stream.
type session struct {
	front    *Front
	client   net.Conn
	be       *pgproto3.Backend
	up       net.Conn
	fe       *pgproto3.Frontend
	txStatus byte
	// unloads and portals hold the extended-protocol statements and
	// portals that are UNLOADs, by name; they never reach upstream.
	unloads map[string]string
	portals map[string]string
	// skipping discards client messages until Sync after an error in
	// the extended protocol, as PostgreSQL does.
	skipping bool
}

func (s *session) loop() {
	for {
		msg, err := s.be.Receive()
		if err != nil {
			return
		}
		if s.skipping {
			if _, ok := msg.(*pgproto3.Sync); !ok {
				continue
			}
			s.skipping = false
		}
		if err := s.handle(msg); err != nil {
			return
		}
		if err := s.be.Flush(); err != nil {
			return
		}
	}
}

// handle serves one client message.
func (s *session) handle(msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Query:
		return s.query(m)
	case *pgproto3.Parse:
		if firstWord(m.Query) == "UNLOAD" {
			s.unloads[m.Name] = m.Query
			s.be.Send(&pgproto3.ParseComplete{})
			return nil
		}
		delete(s.unloads, m.Name)
		return s.forward(m, true, isAny[*pgproto3.ParseComplete])
	case *pgproto3.Bind:
		if q, ok := s.unloads[m.PreparedStatement]; ok {
			s.portals[m.DestinationPortal] = q
			s.be.Send(&pgproto3.BindComplete{})
			return nil
		}
		delete(s.portals, m.DestinationPortal)
		return s.forward(m, true, isAny[*pgproto3.BindComplete])
	case *pgproto3.Describe:
		local := s.unloads
		if m.ObjectType == 'P' {
			local = s.portals
		}
		if _, ok := local[m.Name]; ok {
			if m.ObjectType == 'S' {
				s.be.Send(&pgproto3.ParameterDescription{})
			}
			s.be.Send(&pgproto3.NoData{})
			return nil
		}
		return s.forward(m, true, func(r pgproto3.BackendMessage) bool {
			return isAny[*pgproto3.RowDescription](r) || isAny[*pgproto3.NoData](r)
		})
	case *pgproto3.Execute:
		return s.execute(m)
	case *pgproto3.Close:
		local := s.unloads
		if m.ObjectType == 'P' {
			local = s.portals
		}
		if _, ok := local[m.Name]; ok {
			delete(local, m.Name)
			s.be.Send(&pgproto3.CloseComplete{})
			return nil
		}
		return s.forward(m, true, isAny[*pgproto3.CloseComplete])
	case *pgproto3.Sync:
		clear(s.portals) // an implicit transaction ends; unnamed portals go
		return s.forward(m, false, isAny[*pgproto3.ReadyForQuery])
	case *pgproto3.Flush:
		return nil
	case *pgproto3.Terminate:
		s.fe.Send(m)
		_ = s.fe.Flush()
		return errReset
	default:
		s.fe.Send(msg)
		return s.fe.Flush()
	}
}

// query serves a simple-protocol Query.
func (s *session) query(m *pgproto3.Query) error {
	switch s.front.faults.draw(m.String) {
	case faultReset:
		return errReset
	case faultError:
		s.sendError(s.front.faults.errorResponse())
		s.be.Send(&pgproto3.ReadyForQuery{TxStatus: s.txStatus})
		return nil
	}
	if firstWord(m.String) == "UNLOAD" {
		if err := s.unload(m.String); err != nil {
			if errors.Is(err, errUpstream) {
				return err
			}
			s.sendError(err)
		}
		s.be.Send(&pgproto3.ReadyForQuery{TxStatus: s.txStatus})
		return nil
	}
	return s.forward(m, false, isAny[*pgproto3.ReadyForQuery])
}

// execute serves an extended-protocol Execute.
func (s *session) execute(m *pgproto3.Execute) error {
	q, local := s.portals[m.Portal]
	switch s.front.faults.draw(q) {
	case faultReset:
		return errReset
	case faultError:
		s.sendError(s.front.faults.errorResponse())
		s.skipping = true
		return nil
	}
	if !local {
		return s.forward(m, true, func(r pgproto3.BackendMessage) bool {
			switch r.(type) {
			case *pgproto3.CommandComplete, *pgproto3.EmptyQueryResponse, *pgproto3.PortalSuspended:
				return true
			}
			return false
		})
	}
	if err := s.unload(q); err != nil {
		if errors.Is(err, errUpstream) {
			return err
		}
		s.sendError(err)
		s.skipping = true
	}
	return nil
}

// forward sends m upstream and relays the replies until done says one
// is the last. In the extended protocol (extended) an ErrorResponse also
// ends the replies and starts skipping to Sync.
func (s *session) forward(m pgproto3.FrontendMessage, extended bool, done func(pgproto3.BackendMessage) bool) error {
	s.fe.Send(m)
	if extended {
		s.fe.Send(&pgproto3.Flush{})
	}
	if err := s.fe.Flush(); err != nil {
		return err
	}
	for {
		r, err := s.fe.Receive()
		if err != nil {
			return err
		}
		s.be.Send(r)
		switch r := r.(type) {
		case *pgproto3.ReadyForQuery:
			s.txStatus = r.TxStatus
		case *pgproto3.ErrorResponse:
			if extended {
				s.skipping = true
				return nil
			}
		case *pgproto3.CopyInResponse:
			if err := s.copyIn(); err != nil {
				return err
			}
		}
		if done(r) {
			return nil
		}
	}
}

// copyIn relays COPY FROM STDIN data from the client until it ends.
func (s *session) copyIn() error {
	if err := s.be.Flush(); err != nil {
		return err
	}
	for {
		msg, err := s.be.Receive()
		if err != nil {
			return err
		}
		s.fe.Send(msg)
		switch msg.(type) {
		case *pgproto3.CopyDone, *pgproto3.CopyFail:
			return s.fe.Flush()
		}
	}
}

// sendError reports err to the client as an ERROR.
func (s *session) sendError(err error) {
	var se *sqlError
	if !errors.As(err, &se) {
		se = &sqlError{Code: "XX000", Message: err.Error()}
	}
	s.be.Send(&pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: se.Code, Message: se.Message})
}

// isAny reports whether r is a T.
func isAny[T pgproto3.BackendMessage](r pgproto3.BackendMessage) bool {
	_, ok := r.(T)
	return ok
}

// upstreamQuery runs sql upstream with the simple protocol, calling
// onFields with the row description and onRow with each row's text
// values (valid only during the call). It drains the replies to
// ReadyForQuery even after a callback error, which it then returns; an
// upstream ERROR comes back as a *sqlError. A broken upstream connection
// wraps errUpstream.
func (s *session) upstreamQuery(ctx context.Context, sql string, onFields func([]pgproto3.FieldDescription) error, onRow func([][]byte) error) error {
	s.fe.Send(&pgproto3.Query{String: sql})
	if err := s.fe.Flush(); err != nil {
		return errors.Join(errUpstream, err)
	}
	var first error
	for {
		r, err := s.fe.Receive()
		if err != nil {
			return errors.Join(errUpstream, err)
		}
		switch r := r.(type) {
		case *pgproto3.RowDescription:
			if first == nil && onFields != nil {
				fields := append([]pgproto3.FieldDescription(nil), r.Fields...)
				for i := range fields {
					fields[i].Name = append([]byte(nil), fields[i].Name...)
				}
				first = onFields(fields)
			}
		case *pgproto3.DataRow:
			if first == nil && onRow != nil {
				first = onRow(r.Values)
			}
			if first == nil && ctx.Err() != nil {
				first = ctx.Err()
			}
		case *pgproto3.ErrorResponse:
			if first == nil {
				first = &sqlError{Code: r.Code, Message: r.Message}
			}
		case *pgproto3.ReadyForQuery:
			s.txStatus = r.TxStatus
			return first
		}
	}
}

// errUpstream marks a failure of the upstream connection itself, which
// ends the session.
var errUpstream = errors.New("upstream connection failed")
