package hl7v2

import (
	"fmt"
	"time"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/uid"
)

// MapOptions are the deployment facts the mapping needs where a message
// may be silent: which OIDs stand behind the namespaces senders use, the
// defaults for identifiers sent without any authority, the custodian and
// the time zone. The zero value invents nothing: a message that lacks
// such a fact fails with the field and the rule.
type MapOptions struct {
	// Authorities maps an HD namespace id (CX-4.1, EI-2, CNN-9, ...) to
	// the OID of that assigning authority, for senders that name
	// authorities without an ISO universal id.
	Authorities map[string]string
	// PatientIDAuthority is the OID of patient identifiers (PID-3) that
	// name no assigning authority at all.
	PatientIDAuthority string
	// PlacerAuthority and FillerAuthority are the OIDs of placer and filler
	// order numbers and of the accession number (OBR-2, OBR-3, OBR-18,
	// IPC-1) that name no authority at all.
	PlacerAuthority, FillerAuthority string
	// CodingSystems maps a local coding system id of a procedure code
	// (OBR-4.3) to the OID of that code system; without it such a code is
	// carried as procedure text only.
	CodingSystems map[string]string
	// Custodian, when set, is the organisation that keeps the reports; else
	// the sending facility (MSH-4) with an ISO OID is.
	Custodian *pb.Organization
	// TimeZone is the zone of times sent without a UTC offset when MSH-7
	// has none either (HL7: such times are in the sender's zone).
	TimeZone *time.Location
}

// wellKnownAuthorities are namespace ids whose OID is fixed by their
// issuer, used when a site has not configured them.
var wellKnownAuthorities = map[string]string{
	// US National Provider Identifier, as senders name it in XCN-9/CNN-9.
	"NPI": "2.16.840.1.113883.4.6",
}

// Check reports the first option that is not well formed.
func (o MapOptions) Check() error {
	for ns, oid := range o.Authorities {
		if ns == "" {
			return fmt.Errorf("authority: empty namespace")
		}
		if err := uid.Check(oid); err != nil {
			return fmt.Errorf("authority %s: %w", ns, err)
		}
	}
	for name, oid := range map[string]string{"patient id authority": o.PatientIDAuthority, "placer authority": o.PlacerAuthority, "filler authority": o.FillerAuthority} {
		if oid != "" {
			if err := uid.Check(oid); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	for sys, oid := range o.CodingSystems {
		if sys == "" || len(sys) > 16 {
			return fmt.Errorf("coding system %q: the id must be 1 to 16 characters", sys)
		}
		if err := uid.Check(oid); err != nil {
			return fmt.Errorf("coding system %s: %w", sys, err)
		}
	}
	return nil
}
