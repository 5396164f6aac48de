package detect

import (
	"strings"

	"github.com/spf13/viper"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// decodeWithGitleaks reads gitleaks' default configuration the way gitleaks
// does (viper), for comparison in tests.
func decodeWithGitleaks(vc *glconfig.ViperConfig) error {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(glconfig.DefaultConfig)); err != nil {
		return err
	}
	return v.Unmarshal(vc)
}
