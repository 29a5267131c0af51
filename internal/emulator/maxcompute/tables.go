package maxcompute

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// tableXML is the <Table> document of Table.Load and BatchLoadTables;
// Schema holds the JSON the SDK parses into tableschema.TableSchema.
type tableXML struct {
	XMLName xml.Name `xml:"Table"`
	Name    string
	TableID string `xml:"TableId"`
	Owner   string
	Project string
	Type    string
	Schema  struct {
		Text string `xml:",cdata"`
	}
}

// columnJSON is a column of the schema JSON. isNullable is always sent:
// the SDK marks a column NOT NULL when it is missing.
type columnJSON struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Comment    string `json:"comment"`
	IsNullable bool   `json:"isNullable"`
}

// schemaJSON is the table schema JSON.
type schemaJSON struct {
	TableName        string       `json:"tableName"`
	Comment          string       `json:"comment"`
	Owner            string       `json:"owner"`
	CreateTime       int64        `json:"createTime"`
	LastDDLTime      int64        `json:"lastDDLTime"`
	LastModifiedTime int64        `json:"lastModifiedTime"`
	Lifecycle        int          `json:"lifecycle"`
	IsVirtualView    bool         `json:"isVirtualView"`
	IsExternal       bool         `json:"isExternal"`
	RecordNum        int64        `json:"recordNum"`
	Size             int64        `json:"size"`
	Columns          []columnJSON `json:"columns"`
	PartitionKeys    []columnJSON `json:"partitionKeys"`
	Reserved         string       `json:"Reserved"`
}

// tableDoc renders a table as the service describes it.
func (s *Server) tableDoc(tm tableMeta) tableXML {
	owner := "ALIYUN$" + s.opts.AccessKeyID
	lifecycle := tm.Lifecycle
	if lifecycle == 0 {
		lifecycle = -1
	}
	sj := schemaJSON{
		TableName: tm.Name, Comment: tm.Comment, Owner: owner,
		CreateTime: tm.Created, LastDDLTime: tm.Created, LastModifiedTime: tm.Created,
		Lifecycle: lifecycle, RecordNum: tm.Rows, Columns: []columnJSON{}, PartitionKeys: []columnJSON{},
		Reserved: `{"Transactional":"false","PrimaryKey":[]}`,
	}
	for _, c := range tm.Columns {
		sj.Columns = append(sj.Columns, columnJSON{Name: c.Name, Type: c.Type, Comment: c.Comment, IsNullable: !c.NotNull})
	}
	for _, c := range tm.Partition {
		sj.PartitionKeys = append(sj.PartitionKeys, columnJSON{Name: c.Name, Type: c.Type, Comment: c.Comment, IsNullable: true})
	}
	b, _ := json.Marshal(sj)
	doc := tableXML{Name: tm.Name, TableID: fmt.Sprintf("%x", tm.Created) + tm.Name, Owner: owner,
		Project: s.opts.Project, Type: "MANAGED_TABLE"}
	doc.Schema.Text = string(b)
	return doc
}

// getTable answers Table.Load and Table.Exists, with or without
// ?extended. A missing table is 404 "404 Not Found".
func (s *Server) getTable(w http.ResponseWriter, r *http.Request, name string) {
	ts, err := s.project.tables(r.Context(), true, name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "ODPS-0010000:System internal error - "+err.Error())
		return
	}
	if len(ts) == 0 {
		writeError(w, http.StatusNotFound, "NoSuchObject",
			fmt.Sprintf("ODPS-0130131:Table not found - table %s.%s cannot be resolved", s.opts.Project, strings.ToLower(name)))
		return
	}
	writeXML(w, http.StatusOK, s.tableDoc(ts[0]))
}

// listTables answers Tables.List: names and owners, paged by Marker
// (the index of the next table) and maxitems (default 100), filtered by
// the name prefix.
func (s *Server) listTables(w http.ResponseWriter, r *http.Request) {
	ts, err := s.project.tables(r.Context(), false)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "ODPS-0010000:System internal error - "+err.Error())
		return
	}
	q := r.URL.Query()
	prefix := strings.ToLower(q.Get("name"))
	var names []string
	for _, t := range ts {
		if strings.HasPrefix(t.Name, prefix) {
			names = append(names, t.Name)
		}
	}
	start, _ := strconv.Atoi(q.Get("marker"))
	max, err := strconv.Atoi(q.Get("maxitems"))
	if err != nil || max <= 0 {
		max = 100
	}
	type entry struct {
		Name  string
		Owner string
		Type  string
	}
	doc := struct {
		XMLName  xml.Name `xml:"Tables"`
		Tables   []entry  `xml:"Table"`
		Marker   string
		MaxItems int
	}{MaxItems: max}
	for i := start; i < len(names) && i < start+max; i++ {
		doc.Tables = append(doc.Tables, entry{Name: names[i], Owner: "ALIYUN$" + s.opts.AccessKeyID, Type: "MANAGED_TABLE"})
	}
	if start+max < len(names) {
		doc.Marker = strconv.Itoa(start + max)
	}
	writeXML(w, http.StatusOK, doc)
}

// batchLoadTables answers Tables.BatchLoadTables: the full description of
// each named table that exists, at most 100 per request.
func (s *Server) batchLoadTables(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Tables []struct {
			Project string
			Name    string
		} `xml:"Table"`
	}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = xml.Unmarshal(body, &req)
	}
	if err != nil || len(req.Tables) > 100 {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "ODPS-0010000:a body of at most 100 <Table> entries is required")
		return
	}
	names := make([]string, len(req.Tables))
	for i, t := range req.Tables {
		names[i] = t.Name
	}
	ts, err := s.project.tables(r.Context(), true, names...)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "ODPS-0010000:System internal error - "+err.Error())
		return
	}
	doc := struct {
		XMLName xml.Name   `xml:"Tables"`
		Tables  []tableXML `xml:"Table"`
	}{}
	for _, t := range ts {
		doc.Tables = append(doc.Tables, s.tableDoc(t))
	}
	writeXML(w, http.StatusOK, doc)
}
