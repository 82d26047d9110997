package schemas

/*
#cgo pkg-config: libxml-2.0
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

// At most this many schema errors are kept per document, as before.
#define SCHEMAS_MAX_ERRORS 32

typedef struct {
	char *msgs[SCHEMAS_MAX_ERRORS];
	int n;
	int internal; // the validator reported an internal error
} schemas_errors;

// schemas_collect keeps a copy of each error message, whatever its
// length: libxml2 builds the message, the copy is exact.
static void schemas_collect(void *ctx, xmlErrorPtr err) {
	schemas_errors *e = (schemas_errors *) ctx;
	if (err != NULL && err->code == XML_SCHEMAV_INTERNAL) {
		e->internal = 1;
	}
	if (err == NULL || err->level < XML_ERR_ERROR || e->n >= SCHEMAS_MAX_ERRORS) {
		return;
	}
	char *m = strdup(err->message != NULL ? err->message : "");
	if (m != NULL) {
		e->msgs[e->n++] = m;
	}
}

// schemas_validate validates doc against schema with a fresh validation
// context and the collector above; it returns xmlSchemaValidateDoc's
// code (0 valid, > 0 invalid, < 0 internal error) or -2 when no context
// could be made.
static int schemas_validate(uintptr_t schema, uintptr_t doc, schemas_errors *e) {
	xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt((xmlSchemaPtr) schema);
	if (v == NULL) {
		return -2;
	}
	xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc) schemas_collect, e);
	int rc = xmlSchemaValidateDoc(v, (xmlDocPtr) doc);
	xmlSchemaFreeValidCtxt(v);
	return rc;
}

// Streaming validation: libxml2's SAX parser drives the schema validator
// (xmlSchemaSAXPlug), so no tree is built. Between the two sits the layer
// below, which gives the validator the events a walk over the tree would:
// the parser reports the text of one text node in pieces (at every
// reference, and around non-ASCII characters), the tree joins them, and
// in element-only content each piece would be its own error, so the
// layer joins them too. Where a tree carries something the events do not,
// the layer marks the document undecided and the tree validation decides
// instead (see validateStream).

typedef struct {
	xmlParserCtxtPtr parser;
	xmlSAXHandlerPtr schema; // the validator's own handlers
	void *schema_data;
	xmlHashTablePtr ids; // white-space collapsed values of ID and xml:id attributes
	xmlChar *text;       // the text node being gathered
	int text_len, text_cap;
	int text_type; // 0, XML_TEXT_NODE or XML_CDATA_SECTION_NODE
	int undecided;
} stream_state;

static void stream_undecided(stream_state *s) {
	s->undecided = 1;
	xmlStopParser(s->parser);
}

// stream_flush hands the gathered text node to the validator.
static void stream_flush(stream_state *s) {
	int type = s->text_type;
	if (type == 0 || s->undecided) {
		return;
	}
	s->text_type = 0;
	if (type == XML_TEXT_NODE) {
		s->schema->characters(s->schema_data, s->text, s->text_len);
	} else {
		s->schema->cdataBlock(s->schema_data, s->text, s->text_len);
	}
	s->text_len = 0;
}

// stream_text gathers character data as the tree builder does: text after
// text and CDATA after CDATA join one node (xmlSAX2Text); anything else
// starts a new one.
static void stream_text(stream_state *s, const xmlChar *ch, int len, int type) {
	if (s->undecided) {
		return;
	}
	if (s->text_type != type) {
		stream_flush(s);
		s->text_type = type;
	}
	if (len > s->text_cap - s->text_len) {
		int cap = s->text_cap * 2;
		if (cap < s->text_len + len) {
			cap = s->text_len + len;
		}
		if (cap < 256) {
			cap = 256;
		}
		xmlChar *t = xmlRealloc(s->text, cap);
		if (t == NULL) {
			stream_undecided(s);
			return;
		}
		s->text = t;
		s->text_cap = cap;
	}
	memcpy(s->text + s->text_len, ch, len);
	s->text_len += len;
}

static void stream_characters(void *ctx, const xmlChar *ch, int len) {
	stream_text((stream_state *) ctx, ch, len, XML_TEXT_NODE);
}

static void stream_cdata(void *ctx, const xmlChar *ch, int len) {
	stream_text((stream_state *) ctx, ch, len, XML_CDATA_SECTION_NODE);
}

// A comment or a processing instruction ends a text node in the tree.
static void stream_comment(void *ctx, const xmlChar *value) {
	stream_flush((stream_state *) ctx);
}

static void stream_pi(void *ctx, const xmlChar *target, const xmlChar *data) {
	stream_flush((stream_state *) ctx);
}

// stream_internal_subset: a DOCTYPE may declare entities and attribute
// defaults; the tree validation handles those differently (an entity
// reference left in the tree is an internal error there).
static void stream_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id) {
	stream_undecided((stream_state *) ctx);
}

static void stream_reference(void *ctx, const xmlChar *name) {
	stream_undecided((stream_state *) ctx);
}

static int stream_space(xmlChar c) {
	return c == 0x20 || c == 0x9 || c == 0xA || c == 0xD;
}

// stream_start_element passes the element on to the validator after
// looking at what only a tree would tell apart: a value shared by two
// ID-typed attributes (xs:ID, which the CDA schema gives attributes named
// ID only, and xml:id) is an error of the tree validation, which registers
// each ID with the document, and the stream cannot see it; and an xsi:type
// QName with the reserved prefix xml, which the tree resolves and the
// stream does not.
static void stream_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
	stream_state *s = (stream_state *) ctx;
	stream_flush(s);
	if (nb_defaulted > 0) {
		stream_undecided(s);
		return;
	}
	for (int i = 0; i < nb_attributes && !s->undecided; i++) {
		const xmlChar *name = attributes[5 * i], *auri = attributes[5 * i + 2];
		const xmlChar *v = attributes[5 * i + 3], *end = attributes[5 * i + 4];
		if (auri != NULL && xmlStrEqual(auri, BAD_CAST "http://www.w3.org/2001/XMLSchema-instance")) {
			while (v < end && stream_space(*v)) {
				v++;
			}
			if (end - v >= 4 && memcmp(v, "xml:", 4) == 0) {
				stream_undecided(s);
			}
			continue;
		}
		int id = (auri == NULL && xmlStrEqual(name, BAD_CAST "ID")) ||
			(auri != NULL && xmlStrEqual(auri, XML_XML_NAMESPACE) && xmlStrEqual(name, BAD_CAST "id"));
		if (!id) {
			continue;
		}
		xmlChar *key = xmlMalloc(end - v + 1);
		if (key == NULL) {
			stream_undecided(s);
			break;
		}
		int n = 0, space = 0;
		for (const xmlChar *c = v; c < end; c++) {
			if (stream_space(*c)) {
				space = n > 0;
				continue;
			}
			if (space) {
				key[n++] = ' ';
				space = 0;
			}
			key[n++] = *c;
		}
		key[n] = 0;
		if (s->ids == NULL) {
			s->ids = xmlHashCreate(16);
		}
		if (s->ids == NULL || xmlHashAddEntry(s->ids, key, (void *) 1) != 0) {
			stream_undecided(s);
		}
		xmlFree(key);
	}
	if (!s->undecided) {
		s->schema->startElementNs(s->schema_data, localname, prefix, uri, nb_namespaces, namespaces,
			nb_attributes, nb_defaulted, attributes);
	}
}

static void stream_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
	stream_state *s = (stream_state *) ctx;
	stream_flush(s);
	if (!s->undecided) {
		s->schema->endElementNs(s->schema_data, localname, prefix, uri);
	}
}

// schemas_validate_stream validates the document buf[0:len] against
// schema while parsing it, with the parse options the tree validation
// uses. It returns 0 (valid) or 1 (invalid), with the messages in e, or
// -1 when the tree validation has to decide: the document is not
// well-formed or the parser reported an error, it has a DOCTYPE, or one
// of the cases of stream_start_element, or the validator failed
// internally. libxml2 copies buf before parsing.
static int schemas_validate_stream(uintptr_t schema, const char *buf, int len, int options, schemas_errors *e) {
	xmlParserCtxtPtr parser = xmlCreateMemoryParserCtxt(buf, len);
	if (parser == NULL) {
		return -1;
	}
	xmlCtxtUseOptions(parser, options);
	xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt((xmlSchemaPtr) schema);
	if (v == NULL) {
		xmlFreeParserCtxt(parser);
		return -1;
	}
	xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc) schemas_collect, e);

	// Plugged into no SAX handler at all, the validator hands back its own
	// handlers, which the layer above calls.
	xmlSAXHandlerPtr schema_sax = NULL;
	void *schema_data = NULL;
	xmlSchemaSAXPlugPtr plug = xmlSchemaSAXPlug(v, &schema_sax, &schema_data);
	int rc = -1;
	if (plug != NULL) {
		stream_state state;
		memset(&state, 0, sizeof state);
		state.parser = parser;
		state.schema = schema_sax;
		state.schema_data = schema_data;
		// No tree and no error output: the error callbacks are NULL, so
		// libxml2 prints nothing.
		xmlSAXHandler layer;
		memset(&layer, 0, sizeof layer);
		layer.initialized = XML_SAX2_MAGIC;
		layer.internalSubset = stream_internal_subset;
		layer.reference = stream_reference;
		layer.startElementNs = stream_start_element;
		layer.endElementNs = stream_end_element;
		layer.characters = stream_characters;
		layer.ignorableWhitespace = stream_characters;
		layer.cdataBlock = stream_cdata;
		layer.comment = stream_comment;
		layer.processingInstruction = stream_pi;
		xmlSAXHandlerPtr tree_sax = parser->sax;
		void *tree_data = parser->userData;
		parser->sax = &layer;
		parser->userData = &state;
		int parsed = xmlParseDocument(parser);
		stream_flush(&state);
		parser->sax = tree_sax;
		parser->userData = tree_data;
		xmlSchemaSAXUnplug(plug);
		if (parsed == 0 && parser->wellFormed && parser->nsWellFormed && parser->errNo == 0 &&
				!state.undecided && !e->internal) {
			rc = xmlSchemaIsValid(v) == 1 ? 0 : 1;
		}
		if (state.ids != NULL) {
			xmlHashFree(state.ids, NULL);
		}
		xmlFree(state.text);
	}
	xmlSchemaFreeValidCtxt(v);
	xmlFreeParserCtxt(parser);
	return rc;
}

// schemas_silent is a structured error handler that drops libxml2's
// reports: with it, libxml2 prints nothing (its default handlers print
// each parser and validity error to standard error, with the line of the
// document around it), and the last error stays in the parser context.
static void schemas_silent(void *ctx, xmlErrorPtr err) {
}

// schemas_parse_tree parses buf[0:len] into a tree as xmlCtxtReadMemory
// does, with schemas_silent for the parser's errors. A document that
// cannot be read gives NULL, with the parser's last error in line and msg
// (msg NULL when libxml2 recorded none; free it otherwise).
static xmlDocPtr schemas_parse_tree(const char *buf, int len, int options, int *line, char **msg) {
	*line = 0;
	*msg = NULL;
	xmlParserCtxtPtr parser = xmlNewParserCtxt();
	if (parser == NULL) {
		return NULL;
	}
	parser->sax->serror = schemas_silent;
	xmlDocPtr doc = xmlCtxtReadMemory(parser, buf, len, NULL, NULL, options);
	if (doc == NULL) {
		xmlErrorPtr err = xmlCtxtGetLastError(parser);
		if (err != NULL) {
			*line = err->line;
			*msg = strdup(err->message != NULL ? err->message : "");
		}
	}
	xmlFreeParserCtxt(parser);
	return doc;
}

static void schemas_free_doc(uintptr_t doc) {
	xmlFreeDoc((xmlDocPtr) doc);
}

static schemas_errors *schemas_errors_new(void) {
	return (schemas_errors *) calloc(1, sizeof(schemas_errors));
}

static char *schemas_errors_at(schemas_errors *e, int i) {
	return e->msgs[i];
}

static void schemas_errors_free(schemas_errors *e) {
	for (int i = 0; i < e->n; i++) {
		free(e->msgs[i]);
	}
	free(e);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// validateDoc validates the parsed document doc (an xmlDocPtr) against
// the compiled schema (an xmlSchemaPtr) and returns libxml2's messages.
//
// Why not the binding's own Schema.Validate: its error callback formats
// each message into a 1,024-byte stack buffer and then copies as many
// bytes as the message would have had, so a message longer than that (an
// attribute or element name of a few kilobytes is enough) reads past the
// buffer and crashes the process, or leaks stack bytes into the message.
// A structured error handler gets the message libxml2 built, whole.
func validateDoc(schema, doc uintptr) ([]string, error) {
	if schema == 0 || doc == 0 {
		return nil, errors.New("no compiled schema or no parsed document")
	}
	e := C.schemas_errors_new()
	if e == nil {
		return nil, errors.New("out of memory")
	}
	defer C.schemas_errors_free(e)
	rc := C.schemas_validate(C.uintptr_t(schema), C.uintptr_t(doc), e)
	msgs := make([]string, 0, int(e.n))
	for i := 0; i < int(e.n); i++ {
		msgs = append(msgs, C.GoString(C.schemas_errors_at(e, C.int(i))))
	}
	switch {
	case rc == 0:
		return nil, nil
	case rc < 0 && len(msgs) == 0:
		return nil, errors.New("libxml2 could not validate the document (internal error)")
	case len(msgs) == 0:
		return []string{"the document is not valid against the schema"}, nil
	}
	return msgs, nil
}

// maxStream is the largest document validateStream takes. Without
// XML_PARSE_HUGE, libxml2's tree builder stops at a text node of 10,000,000
// bytes; a stream has no such node, so past that size only the tree
// validation gives the verdict a tree gives.
const maxStream = 10_000_000

// validateStream validates doc against the compiled schema (an
// xmlSchemaPtr) while libxml2 parses it, without building a tree, and
// returns the validator's messages as validateDoc would for the parsed
// document. ok is false when the tree validation has to decide instead:
// doc is empty, larger than maxStream or not well-formed, has a DOCTYPE,
// or holds one of the few things a tree validation sees and a stream does
// not (see stream_start_element in the preamble).
//
// The stream gives the validator the events a tree walk gives it, so the
// verdicts and messages are the tree's: TestStreamMatchesTree and
// FuzzStreamMatchesTree compare the two.
func validateStream(schema uintptr, doc []byte, options int) (msgs []string, ok bool) {
	if schema == 0 || len(doc) == 0 || len(doc) > maxStream {
		return nil, false
	}
	e := C.schemas_errors_new()
	if e == nil {
		return nil, false
	}
	defer C.schemas_errors_free(e)
	// libxml2 copies the bytes into its own buffer before it reads them
	// and keeps no pointer to doc.
	rc := C.schemas_validate_stream(C.uintptr_t(schema), (*C.char)(unsafe.Pointer(&doc[0])), C.int(len(doc)), C.int(options), e)
	switch rc {
	case 0:
		return nil, true
	case 1:
		msgs = make([]string, 0, int(e.n))
		for i := 0; i < int(e.n); i++ {
			msgs = append(msgs, C.GoString(C.schemas_errors_at(e, C.int(i))))
		}
		if len(msgs) == 0 {
			msgs = append(msgs, "the document is not valid against the schema")
		}
		return msgs, true
	}
	return nil, false
}

// parseTree parses doc into a libxml2 tree (an xmlDocPtr, to be freed
// with freeTree) without letting libxml2 print anything. A document that
// cannot be read gives the parser's error, worded as the libxml2 binding
// the project parsed with before words it, so that the issue stays the
// same: an empty document, for which libxml2 makes no parser context, and
// otherwise the parser's last error with its line.
func parseTree(doc []byte, options int) (uintptr, error) {
	if len(doc) == 0 {
		return 0, errors.New("failed to create parse context: failed to execute XMLCreateMemoryParserCtxt: error creating parser")
	}
	var line C.int
	var msg *C.char
	d := C.schemas_parse_tree((*C.char)(unsafe.Pointer(&doc[0])), C.int(len(doc)), C.int(options), &line, &msg)
	if d != nil {
		return uintptr(unsafe.Pointer(d)), nil
	}
	if msg == nil {
		return 0, errors.New("failed to create parse input: failed to read document from memory: unknown error")
	}
	defer C.free(unsafe.Pointer(msg))
	return 0, fmt.Errorf("failed to create parse input: failed to read document from memory: Entity: line %d: parser error : %s",
		int(line), strings.TrimSuffix(C.GoString(msg), "\n"))
}

// freeTree frees a tree parseTree made.
func freeTree(doc uintptr) { C.schemas_free_doc(C.uintptr_t(doc)) }
