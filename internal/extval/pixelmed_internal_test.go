package extval

import (
	"slices"
	"testing"
)

// TestParsePixelMed reads the outputs DicomSRValidator gives: a clean run,
// findings, and a file it could not read, after which it still exits 0.
func TestParsePixelMed(t *testing.T) {
	tests := []struct {
		name           string
		stdout, stderr string
		want           PixelMedReport
	}{
		{
			name:   "clean",
			stdout: "Found EnhancedSR IOD\nFound Root Template TID_2000 (BasicDiagnosticImagingReport)\nRoot Template Validation Complete\nIOD validation complete\n",
			want:   PixelMedReport{IOD: "EnhancedSR", RootTemplate: "TID_2000"},
		},
		{
			name: "findings",
			stdout: "Found BasicTextSR IOD\nFound Root Template TID_2000 (BasicDiagnosticImagingReport)\n" +
				"Error: Template 2001CN BasicDiagnosticImagingReportObservations/[Row 1] IMAGE CID 7003: within 1.9: /CONTAINER: Conditional content item present when condition not satisfied\r\n" +
				"Root Template Validation Complete\n" +
				"Warning: 1.9.3.1: /CONTAINER/CODE (363698007,SCT,\"Finding Site\"): Content Item not in template\n" +
				"Warning: Template 1400CN LinearMeasurementTemplate/[Row 1] NUM CID 7470: 1.9.1: /NUM: Code (mm,UCUM,\"mm\") has different code meaning\n" +
				"IOD validation complete\n",
			want: PixelMedReport{
				IOD: "BasicTextSR", RootTemplate: "TID_2000",
				Errors: []string{"Error: Template 2001CN BasicDiagnosticImagingReportObservations/[Row 1] IMAGE CID 7003: within 1.9: /CONTAINER: Conditional content item present when condition not satisfied"},
				Warnings: []string{
					"Warning: 1.9.3.1: /CONTAINER/CODE (363698007,SCT,\"Finding Site\"): Content Item not in template",
					"Warning: Template 1400CN LinearMeasurementTemplate/[Row 1] NUM CID 7470: 1.9.1: /NUM: Code (mm,UCUM,\"mm\") has different code meaning",
				},
				NotInTemplate: []string{"Warning: 1.9.3.1: /CONTAINER/CODE (363698007,SCT,\"Finding Site\"): Content Item not in template"},
			},
		},
		{
			name:   "unreadable",
			stderr: "java.io.FileNotFoundException: /none.dcm (No such file or directory)\n\tat java.base/java.io.FileInputStream.open0(Native Method)\n",
			want: PixelMedReport{Errors: []string{
				"PixelMed: java.io.FileNotFoundException: /none.dcm (No such file or directory)",
				"PixelMed did not complete the validation",
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parsePixelMed(tc.stdout, tc.stderr)
			tc.want.Output = tc.stdout
			if got.IOD != tc.want.IOD || got.RootTemplate != tc.want.RootTemplate ||
				!slices.Equal(got.Errors, tc.want.Errors) || !slices.Equal(got.Warnings, tc.want.Warnings) ||
				!slices.Equal(got.NotInTemplate, tc.want.NotInTemplate) || got.Output != tc.want.Output {
				t.Errorf("parsePixelMed =\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}
