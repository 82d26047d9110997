package sr

import (
	"bytes"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// fileRules checks the file meta information (SR-FILE-01, 02, 03); the
// parser has checked what it needed to read the file.
func (v *validator) fileRules() {
	m := v.f.meta
	for _, t := range []tag.Tag{tag.FileMetaInformationGroupLength, tag.FileMetaInformationVersion, tag.MediaStorageSOPClassUID, tag.MediaStorageSOPInstanceUID, tag.TransferSyntaxUID, tag.ImplementationClassUID} {
		if e := m.get(t); e == nil || e.empty() {
			v.l.Errorf("SR-FILE-01", tagPath(t), "%s is missing from the file meta information", tagName(t))
		}
	}
	if e := m.get(tag.FileMetaInformationVersion); e != nil && !bytes.Equal(e.value, []byte{0, 1}) {
		v.l.Errorf("SR-FILE-01", e.loc(), "File Meta Information Version is not 00 01")
	}
	pairs := []struct{ meta, ds tag.Tag }{{tag.MediaStorageSOPClassUID, tag.SOPClassUID}, {tag.MediaStorageSOPInstanceUID, tag.SOPInstanceUID}}
	for _, p := range pairs {
		mv, dv := m.view(p.meta), v.ds.view(p.ds)
		if mv != "" && dv != "" && mv != dv {
			v.l.Errorf("SR-FILE-02", tagPath(p.ds), "%s differs from %s of the file meta information", tagName(p.ds), tagName(p.meta))
		}
	}
	switch v.f.ts {
	case implicitVRLittleEndian, deflatedExplicitVRLE:
		// Valid DICOM, so files of other systems are read and checked;
		// but not the Explicit VR Little Endian this project writes.
		v.l.Warnf("SR-FILE-03", tagPath(tag.TransferSyntaxUID), "transfer syntax is valid but not Explicit VR Little Endian")
	case explicitVRBigEndian:
		v.l.Warnf("SR-FILE-03", tagPath(tag.TransferSyntaxUID), "Explicit VR Big Endian is retired (PS3.5 Annex A.3): the file was read and checked, but receivers need not accept it")
	}
}
