package redshift

import (
	"context"

	"github.com/ferry-dev/ferry/provider"
)

var (
	_ provider.FooterUnloader = (*Source)(nil)
	_ provider.FooterUnloader = (*DataSource)(nil)
)

// UnloadWithFooter unloads like Unload and reads the footer of one written
// file: the Parquet types Redshift actually wrote, as MaxCompute types.
func (s *Source) UnloadWithFooter(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, []provider.FileColumn, error) {
	res, err := s.UnloadDetailed(ctx, req, s.cfg.Unload)
	if err != nil {
		return nil, nil, err
	}
	return res.Manifest, footerColumns(res.Footer), nil
}

// UnloadWithFooter unloads through the Data API like Unload and reads the
// footer of one written file.
func (s *DataSource) UnloadWithFooter(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, []provider.FileColumn, error) {
	res, err := s.UnloadDetailed(ctx, req, s.cfg.Unload)
	if err != nil {
		return nil, nil, err
	}
	return res.Manifest, footerColumns(res.Footer), nil
}

func footerColumns(f *FooterTypes) []provider.FileColumn {
	if f == nil {
		return nil
	}
	out := make([]provider.FileColumn, 0, len(f.Columns))
	for _, c := range f.Columns {
		fc := provider.FileColumn{Name: c.Name, Physical: c.Physical, Logical: c.Logical}
		if t, err := c.MaxComputeType(); err == nil {
			fc.Type = t.String()
		}
		out = append(out, fc)
	}
	return out
}
