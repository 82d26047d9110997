package dicomdict

import "testing"

func TestSOPClassName(t *testing.T) {
	for uid, want := range map[string]string{
		"1.2.840.10008.5.1.4.1.1.2":     "CT Image Storage",
		"1.2.840.10008.5.1.4.1.1.88.22": "Enhanced SR Storage",
	} {
		if got, ok := SOPClassName(uid); !ok || got != want {
			t.Errorf("SOPClassName(%s) = %q, %v; want %q", uid, got, ok, want)
		}
	}
	if _, ok := SOPClassName("1.2.3"); ok {
		t.Error("unknown UID reported as known")
	}
}
