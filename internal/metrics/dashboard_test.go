package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

var grafanaDir = filepath.Join("..", "..", "docs", "grafana")

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	GridPos *struct{ H, W, X, Y int } `json:"gridPos"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // rows nest panels
}

var metricRef = regexp.MustCompile(`\bgoport_[a-z0-9_]+\b`)

// TestDashboardUsesEmittedMetrics: the shipped Grafana dashboard is a
// dashboard, every query references metrics goport emits and nothing
// else by that prefix, and every metric goport emits is on it.
func TestDashboardUsesEmittedMetrics(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(grafanaDir, "goport-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID           string  `json:"uid"`
		Title         string  `json:"title"`
		SchemaVersion int     `json:"schemaVersion"`
		Panels        []panel `json:"panels"`
		Templating    struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("goport-dashboard.json: %v", err)
	}
	if dash.UID == "" || dash.Title == "" || dash.SchemaVersion == 0 || len(dash.Panels) == 0 {
		t.Fatalf("not a Grafana dashboard: uid %q, title %q, schemaVersion %d, %d panels", dash.UID, dash.Title, dash.SchemaVersion, len(dash.Panels))
	}
	emitted := Names()
	used := map[string]bool{}
	ids := map[int]bool{}
	check := func(where string, expr string) {
		refs := metricRef.FindAllString(expr, -1)
		if len(refs) == 0 {
			t.Errorf("%s: query %q uses no goport metric", where, expr)
		}
		for _, m := range refs {
			if !slices.Contains(emitted, m) {
				t.Errorf("%s: query %q uses %s, which goport does not emit", where, expr, m)
			}
			used[m] = true
		}
	}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if ids[p.ID] {
				t.Errorf("panel id %d used twice", p.ID)
			}
			ids[p.ID] = true
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			if p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 || p.Datasource == nil || len(p.Targets) == 0 {
				t.Errorf("panel %q lacks a position, a data source or queries", p.Title)
			}
			for _, tg := range p.Targets {
				check("panel "+p.Title, tg.Expr)
			}
		}
	}
	walk(dash.Panels)
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := json.Marshal(v.Query)
		check("variable "+v.Name, string(q))
	}
	for _, m := range emitted {
		if !used[m] {
			t.Errorf("the dashboard shows nothing of %s", m)
		}
	}
}

// TestProvisioningExample: the dashboards provider is valid Grafana
// provisioning (apiVersion 1, a file provider with a path) and the
// Prometheus example parses.
func TestProvisioningExample(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(grafanaDir, "provisioning", "dashboards", "goport.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var prov struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(data, &prov); err != nil {
		t.Fatal(err)
	}
	if prov.APIVersion != 1 || len(prov.Providers) != 1 || prov.Providers[0].Type != "file" || prov.Providers[0].Options.Path == "" {
		t.Errorf("dashboards provider: %+v", prov)
	}
	data, err = os.ReadFile(filepath.Join(grafanaDir, "provisioning", "prometheus.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var scrape struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(data, &scrape); err != nil {
		t.Fatal(err)
	}
	if len(scrape.ScrapeConfigs) != 1 || len(scrape.ScrapeConfigs[0].StaticConfigs) != 1 {
		t.Errorf("prometheus example: %+v", scrape)
	}
}
