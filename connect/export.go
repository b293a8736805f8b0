package connect

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sparkls/sparkls/connect/internal/arrowfmt"
	"github.com/sparkls/sparkls/connect/internal/pb"
)

// Exporting a query's whole result to a file: one ExecutePlan without a
// limit, each Arrow batch written as it arrives and then dropped, so memory
// holds one batch whatever the result's size (Spark's driver buffers what
// is not read yet: a slow disk makes the server, not sparkls, hold more).
// The values are Spark's own text:
//
//   - csv: a header of the column names, then each value as
//     CAST(value AS STRING), uncut (the oracle rule of the previews); NULL
//     is an empty field, an empty string is "" (as Spark's CSV writer
//     does); fields are quoted as RFC 4180 says, lines end in \n.
//   - json: JSON Lines, one object per row rendered by Spark itself
//     (to_json(struct(*)) over the query), so numbers stay numbers,
//     nested values nest, and NULL fields are left out, as df.write.json
//     writes them.
//   - parquet: the Arrow batches as they are (Spark's Arrow types), Snappy
//     compressed, a row group per batch.

// ExportFormat is a file format Export writes.
type ExportFormat string

// The formats of Export.
const (
	ExportCSV     ExportFormat = "csv"
	ExportJSON    ExportFormat = "json"
	ExportParquet ExportFormat = "parquet"
)

// ExportFormats lists the formats, in the order a client offers them.
var ExportFormats = []ExportFormat{ExportCSV, ExportParquet, ExportJSON}

// ExportOptions tune Export.
type ExportOptions struct {
	Format ExportFormat
	// Params bind the statement's parameter markers.
	Params Params
	// Tags are attached to the operation (Interrupt by tag cancels it).
	Tags []string
	// OnProgress is told the rows written so far after each batch, and
	// Spark's execution progress.
	OnProgress func(ExportProgress)
}

// ExportProgress is how far an export is.
type ExportProgress struct {
	Rows  int64
	Spark *Progress // set when Spark reported progress
}

// Export runs the query stmt and writes its whole result to w in
// opt.Format. The statement goes to Spark with the safety of
// RunOptions.QueryOnly whatever the settings (inside the query envelope,
// refused when its plan runs code on the server): an export never runs a
// command. It returns the rows written. Cancelling ctx interrupts the
// operation on Spark; w then holds a partial file, which the caller
// removes.
func (c *Client) Export(ctx context.Context, stmt string, w io.Writer, opt ExportOptions) (int64, error) {
	args, _ := opt.Params.forStatement(stmt, 0)
	if err := c.refuseServerCode(ctx, stmt, args); err != nil {
		return 0, err
	}
	var sink exportSink
	rel := args.sql(envelope(stmt))
	switch opt.Format {
	case ExportCSV:
		sink = &csvSink{w: bufio.NewWriterSize(w, 1<<16)}
	case ExportJSON:
		// Spark renders the JSON: the query is the FROM of a projection
		// (still a query inside the envelope).
		rel = args.sql("SELECT to_json(struct(*)) AS json FROM (" + envelope(stmt) + ")")
		sink = &jsonSink{w: bufio.NewWriterSize(w, 1<<16)}
	case ExportParquet:
		sink = &parquetSink{w: w}
	default:
		return 0, fmt.Errorf("unknown export format %q (csv, parquet or json)", opt.Format)
	}
	var rows int64
	_, err := c.execute(ctx, &pb.Plan{OpType: &pb.Plan_Root{Root: rel}}, execOptions{tags: opt.Tags}, func(resp *pb.ExecutePlanResponse) error {
		if pr := resp.GetExecutionProgress(); pr != nil && opt.OnProgress != nil {
			p := progressOf(resp.OperationId, pr)
			opt.OnProgress(ExportProgress{Rows: rows, Spark: &p})
		}
		b := resp.GetArrowBatch()
		if b == nil || len(b.Data) == 0 {
			return nil
		}
		schema, err := arrowfmt.ReadStream(b.Data, func(rec arrow.RecordBatch) error {
			if err := sink.write(rec); err != nil {
				return err
			}
			rows += rec.NumRows()
			return nil
		})
		if err == nil && schema != nil {
			err = sink.begin(schema) // an empty result still has its columns
		}
		if err != nil {
			return err
		}
		if opt.OnProgress != nil {
			opt.OnProgress(ExportProgress{Rows: rows})
		}
		return nil
	})
	if err != nil {
		var se *SparkError
		if errors.As(err, &se) && opt.Format != ExportJSON {
			se.fromEnvelope(stmt)
		} else if se != nil {
			se.Contexts = nil // positions in the JSON projection, not in stmt
		}
		return rows, err
	}
	return rows, sink.close()
}

// exportSink writes record batches in one format. begin may be called
// more than once (and after write); only the first schema counts.
type exportSink interface {
	begin(schema *arrow.Schema) error
	write(rec arrow.RecordBatch) error
	close() error
}

type csvSink struct {
	w   *bufio.Writer
	fmt *arrowfmt.Formatter
	row []arrowfmt.Cell
}

func (s *csvSink) begin(schema *arrow.Schema) error {
	if s.fmt != nil {
		return nil
	}
	s.fmt = arrowfmt.NewFormatter(schema, arrowfmt.Options{}) // values uncut
	for i, f := range schema.Fields() {
		if i > 0 {
			s.w.WriteByte(',')
		}
		writeCSVField(s.w, f.Name, false)
	}
	s.w.WriteByte('\n')
	return nil
}

func (s *csvSink) write(rec arrow.RecordBatch) error {
	if err := s.begin(rec.Schema()); err != nil {
		return err
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		s.row = s.fmt.Row(rec, i, s.row[:0])
		for j, c := range s.row {
			if j > 0 {
				s.w.WriteByte(',')
			}
			if !c.Null {
				writeCSVField(s.w, c.Text, true)
			}
		}
		if err := s.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

func (s *csvSink) close() error { return s.w.Flush() }

// writeCSVField writes one field, quoted when it holds a separator, a quote
// or a line break, has surrounding spaces, or (for a value) is empty, which
// tells an empty string from NULL.
func writeCSVField(w *bufio.Writer, v string, value bool) {
	quote := (value && v == "") || strings.ContainsAny(v, ",\"\r\n")
	if !quote && v != "" {
		first, _ := utf8.DecodeRuneInString(v)
		last, _ := utf8.DecodeLastRuneInString(v)
		quote = first == ' ' || first == '\t' || last == ' ' || last == '\t'
	}
	if !quote {
		w.WriteString(v)
		return
	}
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(v, `"`, `""`))
	w.WriteByte('"')
}

type jsonSink struct {
	w *bufio.Writer
}

func (s *jsonSink) begin(*arrow.Schema) error { return nil }

func (s *jsonSink) write(rec arrow.RecordBatch) error {
	if rec.NumCols() != 1 {
		return fmt.Errorf("export: the JSON projection has %d columns", rec.NumCols())
	}
	col := rec.Column(0)
	str, ok := col.(interface{ Value(int) string })
	if !ok {
		return fmt.Errorf("export: the JSON projection is %s, not a string", col.DataType())
	}
	for i := 0; i < col.Len(); i++ {
		if col.IsNull(i) {
			s.w.WriteString("{}")
		} else {
			s.w.WriteString(str.Value(i))
		}
		if err := s.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

func (s *jsonSink) close() error { return s.w.Flush() }

type parquetSink struct {
	w  io.Writer
	fw *pqarrow.FileWriter
}

func (s *parquetSink) begin(schema *arrow.Schema) error {
	if s.fw != nil {
		return nil
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
	fw, err := pqarrow.NewFileWriter(schema, s.w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("export: Parquet cannot hold this result: %w", err)
	}
	s.fw = fw
	return nil
}

func (s *parquetSink) write(rec arrow.RecordBatch) error {
	if err := s.begin(rec.Schema()); err != nil {
		return err
	}
	if err := s.fw.Write(rec); err != nil {
		return fmt.Errorf("export: write Parquet: %w", err)
	}
	return nil
}

func (s *parquetSink) close() error {
	if s.fw == nil {
		return errors.New("export: Spark sent no columns for the Parquet file")
	}
	return s.fw.Close()
}
