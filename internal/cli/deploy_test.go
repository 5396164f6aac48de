package cli

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wardenhq/warden/internal/config"
)

// TestDeployConfigs checks that the configurations the deployment files
// ship (docker compose, the Kubernetes ConfigMap) are valid for this
// version of Warden, as `warden config check` would judge them.
func TestDeployConfigs(t *testing.T) {
	env := map[string]string{"OPENAI_API_KEY": "sk-test", "WARDEN_STORE_URL": "postgres://warden:warden@postgres:5432/warden"}
	getenv := func(k string) string { return env[k] }
	compose, err := os.ReadFile("../../deploy/compose/warden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	k8s, err := os.ReadFile("../../deploy/kubernetes/warden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Kind string            `yaml:"kind"`
		Data map[string]string `yaml:"data"`
	}
	if err := yaml.Unmarshal(k8s, &cm); err != nil || cm.Kind != "ConfigMap" || cm.Data["warden.yaml"] == "" {
		t.Fatalf("deploy/kubernetes/warden.yaml: want a ConfigMap with warden.yaml first (%v)", err)
	}
	for name, b := range map[string][]byte{"compose": compose, "kubernetes": []byte(cm.Data["warden.yaml"])} {
		c, err := config.Parse(name, b, getenv, known()...)
		if err != nil {
			t.Errorf("%s configuration: %v", name, err)
			continue
		}
		if c.Store.URL == "" {
			t.Errorf("%s configuration: no shared store: replicas would each keep their own", name)
		}
	}
}
