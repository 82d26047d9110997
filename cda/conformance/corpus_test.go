package conformance_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/schemas"
)

// Base documents of the mutations.
const (
	ct        = "ct-chest-measurements"
	cxr       = "chest-radiograph"
	sample    = "dir-v3-good.xml" // HL7's sample: dataEnterer, guardian, encounter, frames, procedure context …
	corrected = "corrected"       // relatedDocument RPLC
)

// mutation is one deliberately broken document: base changed by edit,
// which must make Check report rule.
type mutation struct {
	name string
	base string
	rule string
	edit edit
}

// corpus holds at least one mutation per rule Check claims.
var corpus = []mutation{
	// US Realm Header and DIR document identity.
	{"realmCode removed", ct, "CONF:1198-16791", rm(cd + "/realmCode")},
	{"realmCode not US", ct, "CONF:1198-16791", set(cd+"/realmCode", "code", "CA")},
	{"typeId removed", ct, "CONF:1198-5361", rm(cd + "/typeId")},
	{"typeId root wrong", ct, "CONF:1198-5250", set(cd+"/typeId", "root", "2.16.840.1.113883.1.4")},
	{"typeId extension wrong", ct, "CONF:1198-5251", set(cd+"/typeId", "extension", "POCD_HD000041")},
	{"US Realm templateId twice", ct, "CONF:1198-5252", dup(cd + "/templateId[1]")},
	{"US Realm templateId extension 2014-06-09", ct, "CONF:1198-5252", set(cd+"/templateId[1]", "extension", "2014-06-09")},
	{"DIR templateId extension 2014-06-09", ct, "CONF:1198-8404", set(cd+"/templateId[3]", "extension", "2014-06-09")},
	{"DIR templateId extension truncated", ct, "CONF:1198-8404", set(cd+"/templateId[3]", "extension", "2015-08")},
	{"DIR templateId twice", ct, "CONF:1198-8404", dup(cd + "/templateId[3]")},
	{"R1.1 header templateId removed", ct, "CONF:1198-32934", rm(cd + "/templateId[2]")},
	{"R1.1 DIR templateId removed", ct, "CONF:1198-32934", rm(cd + "/templateId[4]")},
	{"document id removed", ct, "CONF:1198-5363", rm(cd + "/id")},
	{"document id twice", ct, "CONF:1198-30932", dup(cd + "/id")},
	{"document id UUID", ct, "CONF:1198-30934", set(cd+"/id", "root", uuidRoot)},
	{"document id not an OID", ct, "CONF:1198-10031", set(cd+"/id", "root", "hospital.example")},
	{"document id zero-padded arc", ct, "CONF:1198-10031", set(cd+"/id", "root", "2.25.0123")},
	{"document id too long", ct, "CONF:1198-30935", set(cd+"/id", "root", longOID)},
	{"document id of 65 characters", ct, "CONF:1198-10032", set(cd+"/id", "root", longOID[:65])},
	{"document code removed", ct, "CONF:1198-14833", rm(cd + "/code")},
	{"document code twice", ct, "CONF:1198-5253", dup(cd + "/code")},
	{"document code without @code", ct, "CONF:1198-14834", all(unset(cd+"/code", "code"), set(cd+"/code", "nullFlavor", "UNK"))},
	{"document code not LOINC", ct, "CONF:1198-32948", set(cd+"/code", "codeSystem", "2.16.840.1.113883.6.96")},
	{"title removed", ct, "CONF:1198-5254", rm(cd + "/title")},
	{"effectiveTime removed", ct, "CONF:1198-5256", rm(cd + "/effectiveTime")},
	{"effectiveTime year only", ct, "CONF:81-10127", set(cd+"/effectiveTime", "value", "2026")},
	{"confidentialityCode removed", ct, "CONF:1198-5259", rm(cd + "/confidentialityCode")},
	{"languageCode removed", ct, "CONF:1198-5372", rm(cd + "/languageCode")},
	{"versionNumber removed", ct, "CONF:1198-6380", rm(cd + "/versionNumber")},
	{"setId removed", ct, "CONF:1198-6387", rm(cd + "/setId")},
	{"informant added", ct, "CONF:1198-8410", before(cd+"/custodian", informant)},

	// recordTarget.
	{"recordTarget removed", ct, "CONF:1198-5266", rm(rt)},
	{"patientRole removed", ct, "CONF:1198-5267", rm(pr)},
	{"patient id removed", ct, "CONF:1198-5268", rm(pr + "/id")},
	{"patient addr removed", ct, "CONF:1198-5271", rm(pr + "/addr")},
	{"patient telecom removed", ct, "CONF:1198-5280", rm(pr + "/telecom")},
	{"patient removed", ct, "CONF:1198-5283", rm(pt)},
	{"patient name removed", ct, "CONF:1198-5284", rm(pt + "/name")},
	{"patient given removed", ct, "CONF:81-7157", all(rm(pt+"/name/given"), rm(pt+"/name/given"))},
	{"patient family removed", ct, "CONF:81-7159", rm(pt + "/name/family")},
	{"patient family twice", ct, "CONF:81-7159", dup(pt + "/name/family")},
	{"patient name mixed content", ct, "CONF:81-7278", prepend(pt+"/name", "Mrs ")},
	{"gender removed", ct, "CONF:1198-6394", rm(pt + "/administrativeGenderCode")},

	// Values the CDA schema and the schematron let through.
	{"effectiveTime month 13", ct, conformance.RuleTS, set(cd+"/effectiveTime", "value", "20261321120000-0500")},
	{"effectiveTime 30 February", ct, conformance.RuleTS, set(cd+"/effectiveTime", "value", "20260230120000-0500")},
	{"effectiveTime hour 25", ct, conformance.RuleTS, set(cd+"/effectiveTime", "value", "20261121250000-0500")},
	{"effectiveTime offset -05", ct, conformance.RuleTS, set(cd+"/effectiveTime", "value", "20261121120000-05")},
	{"effectiveTime offset +1500", ct, conformance.RuleTS, set(cd+"/effectiveTime", "value", "20261121120000+1500")},
	{"birthTime day 32", ct, conformance.RuleTS, set(pt+"/birthTime", "value", "19610332")},
	{"languageCode en_US", ct, "CONF:1198-5372", set(cd+"/languageCode", "code", "en_US")},
	{"languageCode a word", ct, "CONF:1198-5372", set(cd+"/languageCode", "code", "e")},
	{"gender code X", ct, "CONF:1198-6394", set(pt+"/administrativeGenderCode", "code", "X")},
	{"gender code system SNOMED", ct, "CONF:1198-6394", set(pt+"/administrativeGenderCode", "codeSystem", "2.16.840.1.113883.6.96")},
	{"PQ without value or nullFlavor", ct, conformance.RulePQ, unset(qtyObs+"/value", "value")},
	{"PQ unit millimetre", ct, conformance.RuleUCUM, set(qtyObs+"/value", "unit", "millimetre")},
	{"PQ unit MM", ct, conformance.RuleUCUM, set(qtyObs+"/value", "unit", "MM")},
	{"relatedDocument twice", corrected, "CONF:1198-8432", dup(cd + "/relatedDocument")},
	// Valid mutants: every validator passes them.
	{"PQ unit 10*3/uL", ct, "", set(qtyObs+"/value", "unit", "10*3/uL")},
	{"PQ unit [hnsf'U]", ct, "", set(qtyObs+"/value", "unit", "[hnsf'U]")},
	{"PQ unit {ratio}", ct, "", set(qtyObs+"/value", "unit", "{ratio}")},
	{"languageCode de-CH-1996", ct, "", set(cd+"/languageCode", "code", "de-CH-1996")},
	{"effectiveTime 29 February 2028", ct, "", set(cd+"/effectiveTime", "value", "20280229120000+0100")},
	{"birthTime removed", ct, "CONF:1198-5298", rm(pt + "/birthTime")},
	{"birthTime century", ct, "CONF:1198-5299", set(pt+"/birthTime", "value", "19")},
	{"raceCode removed", ct, "CONF:1198-5322", rm(pt + "/raceCode")},
	{"ethnicGroupCode removed", ct, "CONF:1198-5323", rm(pt + "/ethnicGroupCode")},
	{"sdtc:raceCode without raceCode", ct, "CONF:1198-31347", all(set(cd, "xmlns:sdtc", "urn:hl7-org:sdtc"),
		rm(pt+"/raceCode"), before(pt+"/ethnicGroupCode", `<sdtc:raceCode code="2106-3" codeSystem="2.16.840.1.113883.6.238"/>`))},
	{"guardianPerson removed", sample, "CONF:1198-5385", rm(pt + "/guardian/guardianPerson")},
	{"guardian name removed", sample, "CONF:1198-5386", rm(pt + "/guardian/guardianPerson/name")},
	{"birthplace place removed", sample, "CONF:1198-5396", rm(pt + "/birthplace/place")},
	{"birthplace addr removed", sample, "CONF:1198-5397", rm(pt + "/birthplace/place/addr")},
	{"languageCommunication languageCode removed", sample, "CONF:1198-5407", rm(pt + "/languageCommunication/languageCode")},
	{"providerOrganization id removed", sample, "CONF:1198-5417", rm(pr + "/providerOrganization/id")},
	{"providerOrganization name removed", sample, "CONF:1198-5419", rm(pr + "/providerOrganization/name")},
	{"providerOrganization telecom removed", sample, "CONF:1198-5420", rm(pr + "/providerOrganization/telecom")},
	{"providerOrganization addr removed", sample, "CONF:1198-5422", rm(pr + "/providerOrganization/addr")},

	// US Realm Address.
	{"address city removed", sample, "CONF:81-7292", rm(pr + "/addr/city")},
	{"address street removed", sample, "CONF:81-7291", rm(pr + "/addr/streetAddressLine")},
	{"address five street lines", sample, "CONF:81-7291", all(dup(pr+"/addr/streetAddressLine"), dup(pr+"/addr/streetAddressLine"), dup(pr+"/addr/streetAddressLine"), dup(pr+"/addr/streetAddressLine"))},
	{"US address without state", sample, "CONF:81-10024", all(text(pr+"/addr/country", "US"), rm(pr+"/addr/state"))},
	{"US address without postalCode", sample, "CONF:81-10025", all(text(pr+"/addr/country", "US"), rm(pr+"/addr/postalCode"))},
	{"address without country or state", sample, "CONF:81-10024", all(rm(pr+"/addr/country"), rm(pr+"/addr/state"))},
	{"address mixed content", sample, "CONF:81-7296", prepend(pr+"/addr", "c/o ")},
	{"author address city removed", sample, "CONF:81-7292", rm(aa + "/addr/city")},
	{"custodian address mixed content", sample, "CONF:81-7296", prepend(rco+"/addr", "c/o ")},

	// author.
	{"author removed", ct, "CONF:1198-5444", rm(cd + "/author")},
	{"author time removed", ct, "CONF:1198-5445", rm(cd + "/author/time")},
	{"author time month only", ct, "CONF:81-10127", set(cd+"/author/time", "value", "202611")},
	{"assignedAuthor removed", ct, "CONF:1198-5448", rm(aa)},
	{"assignedAuthor id removed", ct, "CONF:1198-5449", rm(aa + "/id")},
	{"second author without id", ct, "CONF:1198-5449", all(dup(cd+"/author"), rm(cd+"/author[2]/assignedAuthor/id"))},
	{"assignedAuthor addr removed", ct, "CONF:1198-5452", rm(aa + "/addr")},
	{"assignedAuthor telecom removed", ct, "CONF:1198-5428", rm(aa + "/telecom")},
	{"assignedAuthor code without @code", ct, "CONF:1198-16788", all(unset(aa+"/code", "code"), set(aa+"/code", "nullFlavor", "UNK"))},
	{"assignedPerson removed", ct, "CONF:1198-16790", rm(aa + "/assignedPerson")},
	{"person and device", ct, "CONF:1198-16790", before(aa+"/representedOrganization", device)},
	{"device without softwareName", ct, "CONF:1198-16785", all(rm(aa+"/assignedPerson"), before(aa+"/representedOrganization", device), rm(aa+"/assignedAuthoringDevice/softwareName"))},
	{"device without model", ct, "CONF:1198-16784", all(rm(aa+"/assignedPerson"), before(aa+"/representedOrganization", device), rm(aa+"/assignedAuthoringDevice/manufacturerModelName"))},
	{"author name removed", ct, "CONF:1198-16789", rm(aa + "/assignedPerson/name")},
	{"author name half fielded", ct, "CONF:81-9371", rm(aa + "/assignedPerson/name/family")},
	{"author name mixed content", ct, "CONF:81-9372", prepend(aa+"/assignedPerson/name", "Dr ")},

	// dataEnterer.
	{"dataEnterer assignedEntity removed", sample, "CONF:1198-5442", rm(cd + "/dataEnterer/assignedEntity")},
	{"dataEnterer id removed", sample, "CONF:1198-5443", rm(cd + "/dataEnterer/assignedEntity/id")},
	{"dataEnterer addr removed", sample, "CONF:1198-5460", rm(cd + "/dataEnterer/assignedEntity/addr")},
	{"dataEnterer telecom removed", sample, "CONF:1198-5466", rm(cd + "/dataEnterer/assignedEntity/telecom")},
	{"dataEnterer person removed", sample, "CONF:1198-5469", rm(cd + "/dataEnterer/assignedEntity/assignedPerson")},
	{"dataEnterer name removed", sample, "CONF:1198-5470", rm(cd + "/dataEnterer/assignedEntity/assignedPerson/name")},

	// custodian.
	{"custodian removed", ct, "CONF:1198-5519", rm(cd + "/custodian")},
	{"assignedCustodian removed", ct, "CONF:1198-5520", rm(cd + "/custodian/assignedCustodian")},
	{"custodian organization removed", ct, "CONF:1198-5521", rm(rco)},
	{"custodian id removed", ct, "CONF:1198-5522", rm(rco + "/id")},
	{"custodian name removed", ct, "CONF:1198-5524", rm(rco + "/name")},
	{"custodian telecom twice", ct, "CONF:1198-5525", dup(rco + "/telecom")},
	{"custodian addr removed", ct, "CONF:1198-5559", rm(rco + "/addr")},

	// informationRecipient.
	{"intendedRecipient removed", sample, "CONF:1198-5566", rm(cd + "/informationRecipient/intendedRecipient")},
	{"recipient name removed", sample, "CONF:1198-5568", rm(cd + "/informationRecipient/intendedRecipient/informationRecipient/name")},
	{"recipient organization name removed", sample, "CONF:1198-5578", rm(cd + "/informationRecipient/intendedRecipient/receivedOrganization/name")},

	// legalAuthenticator.
	{"legalAuthenticator time removed", ct, "CONF:1198-5580", rm(la + "/time")},
	{"legalAuthenticator time year only", ct, "CONF:81-10127", set(la+"/time", "value", "2026")},
	{"signatureCode removed", ct, "CONF:1198-5583", rm(la + "/signatureCode")},
	{"signatureCode not S", ct, "CONF:1198-5584", set(la+"/signatureCode", "code", "X")},
	{"legalAuthenticator assignedEntity removed", ct, "CONF:1198-5585", rm(la + "/assignedEntity")},
	{"legalAuthenticator id removed", ct, "CONF:1198-5586", rm(la + "/assignedEntity/id")},
	{"legalAuthenticator addr removed", ct, "CONF:1198-5589", rm(la + "/assignedEntity/addr")},
	{"legalAuthenticator telecom removed", ct, "CONF:1198-5595", rm(la + "/assignedEntity/telecom")},
	{"legalAuthenticator person removed", ct, "CONF:1198-5597", rm(la + "/assignedEntity/assignedPerson")},
	{"legalAuthenticator name removed", ct, "CONF:1198-5598", rm(la + "/assignedEntity/assignedPerson/name")},

	// authenticator (IG).
	{"authenticator time removed", sample, "CONF:1198-5608", rm(cd + "/authenticator/time")},
	{"authenticator signatureCode removed", sample, "CONF:1198-5610", rm(cd + "/authenticator/signatureCode")},
	{"authenticator signatureCode not S", sample, "CONF:1198-5611", set(cd+"/authenticator/signatureCode", "code", "X")},
	{"authenticator assignedEntity removed", sample, "CONF:1198-5612", rm(cd + "/authenticator/assignedEntity")},
	{"authenticator id removed", sample, "CONF:1198-5613", rm(cd + "/authenticator/assignedEntity/id")},
	{"authenticator addr removed", sample, "CONF:1198-5616", rm(cd + "/authenticator/assignedEntity/addr")},
	{"authenticator telecom removed", sample, "CONF:1198-5622", rm(cd + "/authenticator/assignedEntity/telecom")},
	{"authenticator person removed", sample, "CONF:1198-5624", rm(cd + "/authenticator/assignedEntity/assignedPerson")},
	{"authenticator name removed", sample, "CONF:1198-5625", rm(cd + "/authenticator/assignedEntity/assignedPerson/name")},
	{"authenticator time year only", sample, "CONF:81-10127", set(cd+"/authenticator/time", "value", "2005")},

	// participant (referring physician).
	{"participant without person or organization", sample, "CONF:1198-10006", rm(cd + "/participant/associatedEntity/associatedPerson")},
	{"referrer name removed", sample, "CONF:1198-31200", rm(cd + "/participant/associatedEntity/associatedPerson/name")},
	{"referrer name mixed content", sample, "CONF:81-9371", prepend(cd+"/participant/associatedEntity/associatedPerson/name", "Dr ")},
	{"referrer organization only", sample, "CONF:1198-31199", all(rm(cd+"/participant/associatedEntity/associatedPerson"), add(cd+"/participant/associatedEntity", `<scopingOrganization><name>Clinic</name></scopingOrganization>`))},

	// inFulfillmentOf.
	{"order removed", ct, "CONF:1198-9953", rm(cd + "/inFulfillmentOf/order")},
	{"order twice", ct, "CONF:1198-30937", dup(cd + "/inFulfillmentOf/order")},
	{"order without id", ct, "CONF:1198-9954", rm(cd + "/inFulfillmentOf/order/id")},
	{"order id removed", ct, "CONF:1198-30938", rm(cd + "/inFulfillmentOf/order/id")},

	// documentationOf / serviceEvent / performer.
	{"documentationOf removed", ct, "CONF:1198-8416", rm(cd + "/documentationOf")},
	{"documentationOf twice", ct, "CONF:1198-8416", dup(cd + "/documentationOf")},
	{"serviceEvent removed", ct, "CONF:1198-14836", rm(se)},
	{"serviceEvent classCode not ACT", ct, "CONF:1198-8430", set(se, "classCode", "PROC")},
	{"serviceEvent code removed", ct, "CONF:1198-8419", rm(se + "/code")},
	{"serviceEvent effectiveTime removed", ct, "CONF:1198-14837", rm(se + "/effectiveTime")},
	{"serviceEvent low removed", ct, "CONF:1198-14838", all(rm(se+"/effectiveTime/low"), set(se+"/effectiveTime", "value", "20261121150200-0500"))},
	{"performer typeCode not a performer", ct, "CONF:1198-14840", set(perf, "typeCode", "ATND")},
	{"performer assignedEntity removed", ct, "CONF:1198-14841", rm(perf + "/assignedEntity")},
	{"performer id removed", ct, "CONF:1198-14846", rm(perf + "/assignedEntity/id")},
	{"reading physician typeCode SPRF", ct, "CONF:1098-8424", set(perf, "typeCode", "SPRF")},
	{"reading physician code removed", ct, "CONF:1098-8427", rm(perf + "/assignedEntity/code")},
	{"reading physician neither person nor organization", ct, "CONF:1098-8429", all(rm(perf+"/assignedEntity/assignedPerson"), rm(perf+"/assignedEntity/representedOrganization"))},
	{"reading physician V2 and R1.1 ids", ct, "CONF:1098-30773", add(perf, `<templateId root="2.16.840.1.113883.10.20.6.2.1" extension="2014-06-09"/>`)},
	{"reading physician V2 id only", ct, "CONF:1098-8429", set(perf+"/templateId", "extension", "2014-06-09")},
	{"reading physician V2 without id", ct, "CONF:1098-10033", all(set(perf+"/templateId", "extension", "2014-06-09"), rm(perf+"/assignedEntity/id"))},
	{"reading physician V2 without assignedEntity", ct, "CONF:1098-8426", all(set(perf+"/templateId", "extension", "2014-06-09"), rm(perf+"/assignedEntity"))},

	// relatedDocument.
	{"parentDocument removed", corrected, "CONF:1198-32089", rm(cd + "/relatedDocument/parentDocument")},
	{"parentDocument id removed", corrected, "CONF:1198-32090", rm(cd + "/relatedDocument/parentDocument/id")},
	{"parentDocument id not an OID", corrected, "CONF:1198-10031", set(cd+"/relatedDocument/parentDocument/id", "root", "2.25.01")},

	// componentOf / encompassingEncounter / Physician of Record.
	{"encompassingEncounter removed", sample, "CONF:1198-30940", rm(ee)},
	{"componentOf empty", sample, "CONF:1198-9956", rm(ee)},
	{"encounter without id", sample, "CONF:1198-9959", rm(ee + "/id")},
	{"encounter id removed", sample, "CONF:1198-30941", rm(ee + "/id")},
	{"encounter effectiveTime removed", sample, "CONF:1198-9958", rm(ee + "/effectiveTime")},
	{"encounter effectiveTime year only", sample, "CONF:81-10078", set(ee+"/effectiveTime", "value", "2006")},
	{"responsibleParty without assignedEntity", sample, "CONF:1198-30946", before(ep, `<responsibleParty/>`)},
	{"physician of record typeCode", sample, "CONF:1098-8881", set(ep, "typeCode", "CON")},
	{"physician of record V2 id removed", sample, "CONF:1098-16072", rm(ep + "/templateId[1]")},
	{"physician of record R1.1 id removed", sample, "CONF:1198-32934", rm(ep + "/templateId[2]")},
	{"physician of record assignedEntity removed", sample, "CONF:1098-8886", rm(ep + "/assignedEntity")},
	{"physician of record id removed", sample, "CONF:1098-8887", rm(ep + "/assignedEntity/id")},
	{"physician of record code removed", sample, "CONF:1098-8888", rm(ep + "/assignedEntity/code")},
	{"physician of record name removed", sample, "CONF:1098-30929", rm(ep + "/assignedEntity/assignedPerson/name")},
	{"physician of record name mixed", sample, "CONF:81-9372", prepend(ep+"/assignedEntity/assignedPerson/name", "Dr ")},

	// Body structure.
	{"structuredBody removed", ct, "CONF:1198-30695", rm(body)},
	{"body component twice", ct, "CONF:1198-14907", dup(cd + "/component")},
	{"Findings templateId removed", ct, "CONF:1198-30696", rm(findings + "/templateId")},
	{"second Findings section", ct, "CONF:1198-30696", add(body, `<component><section><templateId root="2.16.840.1.113883.10.20.6.1.2"/><code code="121070" codeSystem="1.2.840.10008.2.16.4"/><title>More</title><text>More findings.</text></section></component>`)},
	{"Findings templateId twice", ct, "CONF:81-8531", dup(findings + "/templateId")},
	{"catalog not first", ct, "CONF:1198-31206", moveLast(body + "/component[1]")},
	{"catalog twice", ct, "CONF:1198-31206", dup(body + "/component[1]")},
	{"catalog removed", ct, "CONF:81-8527", rm(body + "/component[1]")},

	// Section IG rules.
	{"section code removed", ct, "CONF:1198-31057", rm(history + "/code")},
	{"section code without @code", ct, "CONF:1198-31207", all(unset(history+"/code", "code"), set(history+"/code", "nullFlavor", "UNK"))},
	{"section without text or component", ct, "CONF:1198-31212", all(rm(history+"/text"), rm(history+"/entry"))},
	{"section text empty", ct, "CONF:1198-31061", all(text(history+"/text", ""), rm(history+"/entry"))},
	{"DIR section nested", ct, "CONF:1198-31211", add(history, `<component><section><code code="19005-8" codeSystem="2.16.840.1.113883.6.1"/><title>Impression</title><text>Nested.</text></section></component>`)},
	{"nested component empty", ct, "CONF:1198-31210", add(history, `<component/>`)},

	// DICOM Object Catalog.
	{"catalog templateId twice", ct, "CONF:81-8525", dup(catalog + "/templateId")},
	{"catalog entry removed", ct, "CONF:81-8530", rm(catalog + "/entry")},
	{"catalog code removed", ct, "CONF:81-15456", rm(catalog + "/code")},
	{"catalog code wrong", ct, "CONF:81-15457", set(catalog+"/code", "code", "121180")},
	{"catalog code system wrong", ct, "CONF:81-26475", set(catalog+"/code", "codeSystem", "2.16.840.1.113883.6.1")},
	{"catalog entry with two Study Acts", ct, "CONF:81-15458", dup(study)},

	// Study Act.
	{"Study Act templateId twice", ct, "CONF:81-9209", dup(study + "/templateId")},
	{"Study Act classCode", ct, "CONF:81-9207", set(study, "classCode", "PROC")},
	{"Study Act moodCode", ct, "CONF:81-9208", set(study, "moodCode", "INT")},
	{"Study Act id removed", ct, "CONF:81-9210", rm(study + "/id")},
	{"Study Act id with extension", ct, "CONF:81-9211", set(study+"/id", "extension", "1")},
	{"Study Act id without root", ct, "CONF:81-9213", all(unset(study+"/id", "root"), set(study+"/id", "nullFlavor", "UNK"))},
	{"Study Act without series", ct, "CONF:81-9219", all(rm(study+"/entryRelationship"), rm(study+"/entryRelationship"))},
	{"Study Act text reference not local", ct, "CONF:81-15997", add(study, `<text><reference value="s1.1"/></text>`)},
	{"Study Act code removed", ct, "CONF:81-19172", rm(study + "/code")},
	{"Study Act code wrong", ct, "CONF:81-19173", set(study+"/code", "code", "113015")},

	// Series Act.
	{"Series Act templateId twice", ct, "CONF:81-10918", dup(series + "/templateId")},
	{"Series Act classCode", ct, "CONF:81-9222", set(series, "classCode", "PROC")},
	{"Series Act moodCode", ct, "CONF:81-9223", set(series, "moodCode", "INT")},
	{"Series Act id removed", ct, "CONF:81-9224", rm(series + "/id")},
	{"Series Act id without root", ct, "CONF:81-9225", all(unset(series+"/id", "root"), set(series+"/id", "nullFlavor", "UNK"))},
	{"Series Act id with extension", ct, "CONF:81-9226", set(series+"/id", "extension", "1")},
	{"Series Act without SOP instance", ct, "CONF:81-9237", set(series+"/entryRelationship", "typeCode", "SUBJ")},
	{"Series Act code removed", ct, "CONF:81-19166", rm(series + "/code")},
	{"Series Act code wrong", ct, "CONF:81-19167", set(series+"/code", "code", "113014")},
	{"Series Act qualifier removed", ct, "CONF:81-26462", rm(series + "/code/qualifier")},
	{"Series Act qualifier name removed", ct, "CONF:81-26463", rm(series + "/code/qualifier/name")},
	{"Series Act qualifier name code", ct, "CONF:81-26464", set(series+"/code/qualifier/name", "code", "121140")},
	{"Series Act qualifier name system", ct, "CONF:81-26465", set(series+"/code/qualifier/name", "codeSystem", "2.16.840.1.113883.6.1")},
	{"Series Act qualifier value removed", ct, "CONF:81-26466", rm(series + "/code/qualifier/value")},

	// SOP Instance Observation.
	{"SOP classCode", ct, "CONF:81-9240", set(sop, "classCode", "OBS")},
	{"SOP moodCode", ct, "CONF:81-9241", set(sop, "moodCode", "INT")},
	{"SOP id removed", ct, "CONF:81-9242", rm(sop + "/id")},
	{"SOP code removed", ct, "CONF:81-9244", rm(sop + "/code")},
	{"SOP code without @code", ct, "CONF:81-19225", all(unset(sop+"/code", "code"), set(sop+"/code", "nullFlavor", "UNK"))},
	{"SOP class not a UID", ct, "CONF:81-19226", set(sop+"/code", "code", "CT Image Storage")},
	{"SOP code system", ct, "CONF:81-19227", set(sop+"/code", "codeSystem", "1.2.840.10008.2.16.4")},
	{"SOP text mediaType", ct, "CONF:81-9247", set(sop+"/text", "mediaType", "image/jpeg")},
	{"SOP text two references", ct, "CONF:81-9248", dup(sop + "/text/reference")},
	{"SOP reference without value", ct, "CONF:81-9249", unset(sop+"/text/reference", "value")},
	{"SOP effectiveTime without value", ct, "CONF:81-9251", add(sop, `<effectiveTime nullFlavor="UNK"/>`)},
	{"SOP effectiveTime interval", ct, "CONF:81-9252", add(sop, `<effectiveTime><low value="20261121150200-0500"/></effectiveTime>`)},
	{"SOP effectiveTime high", ct, "CONF:81-9253", add(sop, `<effectiveTime value="20261121150200-0500"><high value="20261121150300-0500"/></effectiveTime>`)},

	// Purpose of Reference Observation.
	{"Purpose templateId twice", ct, "CONF:81-9266", dup(purpose + "/templateId")},
	{"Purpose classCode", ct, "CONF:81-9264", set(purpose, "classCode", "COND")},
	{"Purpose moodCode", ct, "CONF:81-9265", set(purpose, "moodCode", "INT")},
	{"Purpose code removed", ct, "CONF:81-9267", rm(purpose + "/code")},

	// Referenced Frames and Boundary Observations.
	{"Frames classCode", sample, "CONF:81-9276", set(frames, "classCode", "OBS")},
	{"Frames moodCode", sample, "CONF:81-9277", set(frames, "moodCode", "INT")},
	{"Frames two entryRelationships", sample, "CONF:81-9279", dup(frames + "/entryRelationship")},
	{"Frames entryRelationship not COMP", sample, "CONF:81-9280", set(frames+"/entryRelationship", "typeCode", "SUBJ")},
	{"Frames without Boundary", sample, "CONF:81-15923", rm(boundary + "/templateId")},
	{"Frames code removed", sample, "CONF:81-19164", rm(frames + "/code")},
	{"Boundary classCode", sample, "CONF:81-9282", set(boundary, "classCode", "ROIBND")},
	{"Boundary moodCode", sample, "CONF:81-9283", set(boundary, "moodCode", "INT")},
	{"Boundary code removed", sample, "CONF:81-9284", rm(boundary + "/code")},
	{"Boundary value not INT", sample, "CONF:81-9285", set(boundary+"/value", "xsi:type", "PQ")},
	{"Boundary code wrong", sample, "CONF:81-19157", set(boundary+"/code", "code", "121190")},

	// Text Observation.
	{"Text templateId twice", ct, "CONF:81-9290", dup(textObs + "/templateId")},
	{"Text classCode", ct, "CONF:81-9288", set(textObs, "classCode", "COND")},
	{"Text moodCode", ct, "CONF:81-9289", set(textObs, "moodCode", "INT")},
	{"Text code removed", ct, "CONF:81-9291", rm(textObs + "/code")},
	{"Text value not ED", ct, "CONF:81-9292", set(textObs+"/value", "xsi:type", "ST")},
	{"Text value twice", ct, "CONF:81-9292", dup(textObs + "/value")},
	{"Text reference not local", ct, "CONF:81-15940", set(textObs+"/text/reference", "value", "s1.1")},

	// Code Observations.
	{"Code classCode", cxr, "CONF:81-9304", set(codeObs, "classCode", "COND")},
	{"Code moodCode", cxr, "CONF:81-9305", set(codeObs, "moodCode", "INT")},
	{"Code value removed", cxr, "CONF:81-9308", rm(codeObs + "/value")},
	{"Code value twice", cxr, "CONF:81-9308", dup(codeObs + "/value")},
	{"Code second templateId", cxr, "CONF:81-15523", add(codeObs, `<templateId root="2.16.840.1.113883.19.5.1"/>`)},
	{"Code code removed", cxr, "CONF:81-19181", rm(codeObs + "/code")},

	// Quantity Measurement Observation.
	{"Quantity templateId twice", ct, "CONF:81-9319", dup(qtyObs + "/templateId")},
	{"Quantity classCode", ct, "CONF:81-9317", set(qtyObs, "classCode", "COND")},
	{"Quantity moodCode", ct, "CONF:81-9318", set(qtyObs, "moodCode", "INT")},
	{"Quantity code removed", ct, "CONF:81-9320", rm(qtyObs + "/code")},
	{"Quantity value not PQ", ct, "CONF:81-9324", set(qtyObs+"/value", "xsi:type", "INT")},

	// Procedure Context.
	{"Procedure Context templateId twice", sample, "CONF:81-9200", dup(procCtx + "/templateId")},
	{"Procedure Context classCode", sample, "CONF:81-26452", set(procCtx, "classCode", "PROC")},
	{"Procedure Context moodCode", sample, "CONF:81-26453", set(procCtx, "moodCode", "INT")},
	{"Procedure Context code removed", sample, "CONF:81-9201", rm(procCtx + "/code")},
	{"Procedure Context effectiveTime without value", sample, "CONF:81-17173", all(unset(procCtx+"/effectiveTime", "value"), add(procCtx+"/effectiveTime", `<low value="20060823222400"/>`))},

	// Fetus Subject Context (added to the Findings section).
	{"fetus context valid", ct, "", before(findings+"/entry[1]", fetusFrag)},
	{"fetus templateId twice", ct, "CONF:81-9189", all(before(findings+"/entry[1]", fetusFrag), dup(fetusPath+"/templateId"))},
	{"fetus code removed", ct, "CONF:81-9190", all(before(findings+"/entry[1]", fetusFrag), rm(fetusPath+"/code"))},
	{"fetus code wrong", ct, "CONF:81-26455", all(before(findings+"/entry[1]", fetusFrag), set(fetusPath+"/code", "code", "121025"))},
	{"fetus code system wrong", ct, "CONF:81-26476", all(before(findings+"/entry[1]", fetusFrag), set(fetusPath+"/code", "codeSystem", "2.16.840.1.113883.6.96"))},
	{"fetus subject removed", ct, "CONF:81-9191", all(before(findings+"/entry[1]", fetusFrag), rm(fetusPath+"/subject"))},
	{"fetus name removed", ct, "CONF:81-15347", all(before(findings+"/entry[1]", fetusFrag), rm(fetusPath+"/subject/name"))},

	// Observer Context (added to the Findings section).
	{"observer context valid", ct, "", before(findings+"/entry[1]", observerFrag)},
	{"observer templateId twice", ct, "CONF:81-9194", all(before(findings+"/entry[1]", observerFrag), dup(observer+"/templateId"))},
	{"observer id removed", ct, "CONF:81-9196", all(before(findings+"/entry[1]", observerFrag), rm(observer+"/id"))},
	{"observer person removed", ct, "CONF:81-9198", all(before(findings+"/entry[1]", observerFrag), rm(observer+"/assignedPerson"))},

	// Narrative and catalog consistency (project rules).
	{"narrative ID twice", ct, "CDA-NARR-01", set(findings+"/text/paragraph[2]/content", "ID", "s4.1")},
	{"narrative ID not an NCName", ct, "CDA-NARR-01", all(set(history+"/text/paragraph/content", "ID", "1.1"), set(history+"/entry/observation/text/reference", "value", "#1.1"))},
	{"narrative reference dangling", ct, "CDA-NARR-02", set(history+"/entry/observation/text/reference", "value", "#nowhere")},
	{"narrative reference into another section", ct, "CDA-NARR-02", set(history+"/entry/observation/text/reference", "value", "#s2.1")},
	{"evidence image not in catalog", ct, "CDA-ENT-16", set(evidence+"/id", "root", "2.25.1")},
}

// difference records, for one mutation, the errors Check reports that the
// schematron's errors phase does not, and why that is right.
type difference struct {
	extra []string
	why   string
}

// differences is every place where Check and the schematron legitimately
// disagree on the corpus. Check never misses a schematron error; these
// are its deliberate additions (IG-only SHALLs, project rules, per-element
// reading of existential asserts, and documents the schematron skips).
// Reasons for the value rules, which every independent validator here is
// blind to.
const (
	whyTS       = "HL7 V3 Data Types R1, TS: a calendar date and time, the offset +/-ZZzz; the CDA schema's TS pattern takes any digits, and the schematron tests only precision"
	whyLanguage = "CONF:1198-5372 binds languageCode to ValueSet Language (BCP 47 tags); the schematron tests only that there is one, the schema's CS any token"
	whyGender   = "CONF:1198-6394 binds administrativeGenderCode to Administrative Gender (HL7 V3) 2.16.840.1.113883.1.11.1 (voc.xml: F, M, UN); the schematron tests only that there is one"
	whyPQ       = "HL7 V3 Data Types R1, PQ: a non-null PQ has a value; the schema makes @value optional and the schematron does not test it"
	whyUCUM     = "the PQ unit is UCUM, case-sensitive (C-CDA: UCUM Units of Measure 2.16.840.1.113883.1.11.12839); the schema's CS takes any token and the schematron does not test it"
)

var differences = map[string]difference{
	"effectiveTime month 13":         {[]string{conformance.RuleTS}, whyTS},
	"effectiveTime 30 February":      {[]string{conformance.RuleTS}, whyTS},
	"effectiveTime hour 25":          {[]string{conformance.RuleTS}, whyTS},
	"effectiveTime offset -05":       {[]string{conformance.RuleTS}, whyTS},
	"effectiveTime offset +1500":     {[]string{conformance.RuleTS}, whyTS},
	"birthTime day 32":               {[]string{conformance.RuleTS}, whyTS},
	"languageCode en_US":             {[]string{"CONF:1198-5372"}, whyLanguage},
	"languageCode a word":            {[]string{"CONF:1198-5372"}, whyLanguage},
	"gender code X":                  {[]string{"CONF:1198-6394"}, whyGender},
	"gender code system SNOMED":      {[]string{"CONF:1198-6394"}, whyGender},
	"PQ without value or nullFlavor": {[]string{conformance.RulePQ}, whyPQ},
	"PQ unit millimetre":             {[]string{conformance.RuleUCUM}, whyUCUM},
	"PQ unit MM":                     {[]string{conformance.RuleUCUM}, whyUCUM},
	"birthTime century":              {[]string{conformance.RuleTS}, "HL7 V3 TS starts with a four-digit year; a two-digit century is no TS literal (the schematron's 1198-5299 reports the precision too)"},
	"relatedDocument twice":          {[]string{"CONF:1198-8432"}, "the DIR header allows relatedDocument 0..1 (CONF:1198-8432); the CDA schema allows any number and the schematron does not count them"},
	// Documents the schematron does not recognise as DIR V3 / US Realm V3.
	"US Realm templateId extension 2014-06-09": {[]string{"CONF:1198-5252"}, "the schematron keys the header rules on the V3 id and silently skips the document; a DIR must claim it"},
	"DIR templateId extension 2014-06-09":      {[]string{"CONF:1198-8404"}, "likewise for the DIR V3 id (internal/samples: DIROldExtension)"},
	"DIR templateId extension truncated":       {[]string{"CONF:1198-8404"}, "likewise; the schematron's compatible-id claim test is a substring test and still fires, its DIR rules do not"},

	// IG wording stricter than the schematron's test.
	"document id zero-padded arc":                   {[]string{"CONF:1198-10031", "CONF:1198-30934"}, "IG regular expression ([0-2])(.([1-9][0-9]*|0))+; the schematron only checks for a dot and the first arc"},
	"parentDocument id not an OID":                  {[]string{"CONF:1198-10031"}, "the IG binds 10031 to parentDocument/id too; the schematron tests only ClinicalDocument/id"},
	"second author without id":                      {[]string{"CONF:1198-5449"}, "the schematron's author/assignedAuthor[count(id)>0] passes if any author has an id; the IG says each"},
	"SOP effectiveTime interval":                    {[]string{"CONF:81-9252"}, "the schematron tests not(low) on the observation instead of its effectiveTime"},
	"SOP effectiveTime high":                        {[]string{"CONF:81-9253"}, "the schematron tests not(high) on the observation instead of its effectiveTime"},
	"Procedure Context effectiveTime without value": {[]string{"CONF:81-17173"}, "the schematron tests only effectiveTime[@xsi:type='TS'], which the CDA schema rejects on act"},

	// IG SHALLs the schematron does not test (test="." or not(tested)).
	"document code not LOINC":                           {[]string{"CONF:1198-32948"}, "IG: document code from the LOINC document ontology; untested"},
	"legalAuthenticator name removed":                   {[]string{"CONF:1198-5598"}, "IG: legalAuthenticator assignedPerson name; assert is not(tested_here)"},
	"guardian name removed":                             {[]string{"CONF:1198-5386"}, "IG: guardianPerson name; assert is not(tested_here)"},
	"author name removed":                               {[]string{"CONF:1198-16789"}, "IG: author assignedPerson name; assert is not(tested_here)"},
	"authenticator time removed":                        {[]string{"CONF:1198-5608"}, "IG authenticator SHALL; the schematron tests only this branch's SHOULDs"},
	"authenticator signatureCode removed":               {[]string{"CONF:1198-5610"}, "IG authenticator SHALL; untested"},
	"authenticator signatureCode not S":                 {[]string{"CONF:1198-5611"}, "IG authenticator SHALL; untested"},
	"authenticator assignedEntity removed":              {[]string{"CONF:1198-5612"}, "IG authenticator SHALL; untested"},
	"authenticator id removed":                          {[]string{"CONF:1198-5613"}, "IG authenticator SHALL; untested"},
	"authenticator addr removed":                        {[]string{"CONF:1198-5616"}, "IG authenticator SHALL; untested"},
	"authenticator telecom removed":                     {[]string{"CONF:1198-5622"}, "IG authenticator SHALL; untested"},
	"authenticator person removed":                      {[]string{"CONF:1198-5624"}, "IG authenticator SHALL; untested"},
	"authenticator name removed":                        {[]string{"CONF:1198-5625"}, "IG authenticator SHALL; untested"},
	"participant without person or organization":        {[]string{"CONF:1198-31199"}, "IG: the DIR's referring physician (REF) SHALL be a person; untested"},
	"referrer organization only":                        {[]string{"CONF:1198-31199"}, "IG: the DIR's referring physician (REF) SHALL be a person; untested"},
	"referrer name removed":                             {[]string{"CONF:1198-31200"}, "IG: the referring physician SHALL have a name; untested"},
	"serviceEvent classCode not ACT":                    {[]string{"CONF:1198-8430"}, "IG: serviceEvent classCode ACT; untested"},
	"serviceEvent code removed":                         {[]string{"CONF:1198-8419"}, "IG: serviceEvent SHALL have a code (nullFlavor allowed); untested"},
	"performer typeCode not a performer":                {[]string{"CONF:1098-8424"}, "IG V2 reading-physician content rules, applied to the un-versioned performer the project emits (cda-dir.md 6.13)"},
	"reading physician typeCode SPRF":                   {[]string{"CONF:1098-8424"}, "same: the reading physician's typeCode is PRF"},
	"performer assignedEntity removed":                  {[]string{"CONF:1098-8426"}, "same: exactly one assignedEntity"},
	"performer id removed":                              {[]string{"CONF:1098-10033"}, "same: assignedEntity id"},
	"reading physician code removed":                    {[]string{"CONF:1098-8427"}, "same: assignedEntity code"},
	"reading physician neither person nor organization": {[]string{"CONF:1098-8429"}, "same: assignedPerson or representedOrganization, tested on assignedEntity as the IG says"},
	"physician of record V2 id removed":                 {[]string{"CONF:1098-16072"}, "IG: Physician of Record carries the V2 id; without it the schematron skips the participant"},
	"fetus code system wrong":                           {[]string{"CONF:81-26476"}, "IG: fetus code from DCM; untested"},
	"SOP class not a UID":                               {[]string{"CONF:81-19226", "CDA-ENT-16"}, "IG: SOP class is a UID (untested); and the evidence image's class no longer matches the catalog"},
	"catalog removed":                                   {[]string{"CONF:81-8527"}, "IG: a document citing images SHALL have the catalog; not in the schematron"},
	"section code removed":                              {[]string{"CONF:1198-31057"}, "IG section SHALL; not in the schematron"},
	"section code without @code":                        {[]string{"CONF:1198-31207"}, "IG section SHALL; not in the schematron"},
	"section without text or component":                 {[]string{"CONF:1198-31212"}, "IG section SHALL; not in the schematron"},
	"section text empty":                                {[]string{"CONF:1198-31061"}, "IG: text elements SHALL have content; not in the schematron"},
	"DIR section nested":                                {[]string{"CONF:1198-31211"}, "IG: DIR section types SHALL be top-level; not in the schematron"},
	"nested component empty":                            {[]string{"CONF:1198-31210"}, "IG: nested components SHALL have child elements; not in the schematron"},

	// Project rules (validation-rules.md B.4/B.5): an image cited as
	// evidence is in the catalog, narrative IDs and references resolve.
	"SOP id removed":                           {[]string{"CDA-ENT-16"}, "the catalog no longer lists the instance the findings cite"},
	"SOP code removed":                         {[]string{"CDA-ENT-16"}, "the catalog entry lost its SOP class, so the cited instance does not match"},
	"SOP code without @code":                   {[]string{"CDA-ENT-16"}, "the catalog entry lost its SOP class, so the cited instance does not match"},
	"Study Act without series":                 {[]string{"CDA-ENT-16"}, "the catalog no longer lists the cited instances"},
	"catalog entry removed":                    {[]string{"CDA-ENT-16"}, "the catalog no longer lists the cited instances"},
	"evidence image not in catalog":            {[]string{"CDA-ENT-16"}, "project rule; not in the schematron"},
	"narrative ID twice":                       {[]string{"CDA-NARR-01", "CDA-NARR-02"}, "duplicate ID; the entry that pointed at the renamed ID now dangles"},
	"narrative ID not an NCName":               {[]string{"CDA-NARR-01"}, "project rule (the CDA schema's xs:ID also rejects it)"},
	"narrative reference dangling":             {[]string{"CDA-NARR-02"}, "project rule; the schematron checks only the leading '#'"},
	"narrative reference into another section": {[]string{"CDA-NARR-02"}, "project rule: an entry's narrative is in its own section"},
	"body component twice":                     {[]string{"CDA-NARR-01", "CDA-NARR-02"}, "copying the body duplicates every narrative ID"},
}

// TestMutations runs every mutation through the official schematron's
// errors phase and through Check: Check must report every CONF number the
// schematron reports (no false pass), the mutation's own rule, and nothing
// else beyond the documented differences.
func TestMutations(t *testing.T) {
	c := checker(t)
	docs := map[string][]byte{}
	for _, g := range goodDocs(t) {
		docs[g.name] = g.xml
	}
	seen := map[string]bool{}
	for _, m := range corpus {
		if seen[m.name] {
			t.Fatalf("mutation %q listed twice", m.name)
		}
		seen[m.name] = true
	}
	for name := range differences {
		if !seen[name] {
			t.Errorf("differences names unknown mutation %q", name)
		}
	}

	// Build every mutated document, then run the schematron on all of them
	// at once: xsltproc is the slow part, and a pool of its own keeps the
	// processes busy whatever -parallel the test runs with.
	mutated := make([][]byte, len(corpus))
	for i, m := range corpus {
		if base, ok := docs[m.base]; ok {
			mutated[i] = mutate(t, base, m.edit)
		}
	}
	verdicts := schematronAll(t, mutated)
	// The CDA schema judges every mutant too, all in one xmllint run.
	var present [][]byte
	for _, d := range mutated {
		if d != nil {
			present = append(present, d)
		}
	}
	xsdFound, err := extval.XMLLintMany(filepath.Join("..", "..", "schemas", "synced", filepath.FromSlash(schemas.CDASDTCEntry)), present)
	if err != nil {
		t.Fatal(err)
	}
	xsd := make([][]string, len(mutated))
	for i, j := 0, 0; i < len(mutated); i++ {
		if mutated[i] != nil {
			xsd[i] = xsdFound[j]
			j++
		}
	}
	var bothFail, bothPass int
	var disagree []string

	agree, differ := 0, 0
	t.Run("corpus", func(t *testing.T) {
		for i, m := range corpus {
			t.Run(m.name, func(t *testing.T) {
				doc := mutated[i]
				if doc == nil {
					t.Skipf("base document %s not available", m.base)
				}
				want := verdicts[i]
				got := errorRules(c.Check(doc))
				for r := range want {
					if !got[r] {
						t.Errorf("false pass: the schematron reports %s, Check does not (Check: %v)", r, sorted(got))
					}
				}
				if m.rule != "" && !got[m.rule] {
					t.Errorf("Check does not report the intended %s (Check: %v, schematron: %v)", m.rule, sorted(got), sorted(want))
				}
				if m.rule == "" && len(got)+len(want) > 0 {
					t.Errorf("valid mutation: Check %v, schematron %v", sorted(got), sorted(want))
				}
				extra := map[string]bool{}
				for r := range got {
					if !want[r] {
						extra[r] = true
					}
				}
				documented := map[string]bool{}
				for _, r := range differences[m.name].extra {
					documented[r] = true
				}
				if strings.Join(sorted(extra), " ") != strings.Join(sorted(documented), " ") {
					t.Errorf("Check's errors beyond the schematron %v differ from the documented %v (schematron: %v)", sorted(extra), sorted(documented), sorted(want))
				}
				if len(extra) == 0 {
					agree++
				} else {
					differ++
				}
				ours, theirs := len(got) > 0, len(want)+len(xsd[i]) > 0
				switch {
				case ours == theirs && ours:
					bothFail++
				case ours == theirs:
					bothPass++
				default:
					why := differences[m.name].why
					if why == "" {
						t.Errorf("Check fails it: %v, the schema and the schematron: %v; no documented reason", ours, theirs)
					}
					disagree = append(disagree, fmt.Sprintf("%s: Check %v, xmllint+schematron %v: %s", m.name, ours, theirs, why))
				}
			})
		}
	})
	t.Logf("corpus: %d mutations; identical rule sets: %d; documented differences: %d", len(corpus), agree, differ)
	t.Logf("CDA mutation corpus against xmllint (CDA schema) + HL7 schematron: %d mutants, both fail %d, both pass %d, disagreements %d", len(corpus), bothFail, bothPass, len(disagree))
	for _, d := range disagree {
		t.Logf("  disagreement: %s", d)
	}
}

// schematronAll runs the errors phase on every non-nil document (one
// xsltproc process per core over all of them) and returns the rules each
// one breaks.
func schematronAll(t *testing.T, docs [][]byte) []map[string]bool {
	t.Helper()
	res, err := schematron(t).RunMany(docs)
	if err != nil {
		t.Fatalf("schematron did not run on the corpus: %v", err)
	}
	out := make([]map[string]bool, len(docs))
	for i, d := range docs {
		if d == nil {
			continue
		}
		out[i] = map[string]bool{}
		for _, f := range res[i] {
			out[i][svrlRule(f)] = true
		}
	}
	return out
}
