// Package hl7it holds the end-to-end tests of the HL7 v2 integration:
// the reportgen binary serving MLLP against implementations independent
// of it (python-hl7 as the sender and as the downstream receiver of the
// outbound ORU^R01) and a real PACS (Orthanc with its DICOMweb plugin),
// including a SIGKILL between the ACK and the delivery and a PACS that is
// down. It has no code of its own; scripts/setup.sh installs the Debian
// packages the tests need (orthanc, orthanc-dicomweb, python3-hl7) and
// the tests fail, not skip, without them.
package hl7it
