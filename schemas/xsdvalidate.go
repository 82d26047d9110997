package schemas

/*
#cgo pkg-config: libxml-2.0
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

// At most this many schema errors are kept per document, as before.
#define SCHEMAS_MAX_ERRORS 32

typedef struct {
	char *msgs[SCHEMAS_MAX_ERRORS];
	int n;
} schemas_errors;

// schemas_collect keeps a copy of each error message, whatever its
// length: libxml2 builds the message, the copy is exact.
static void schemas_collect(void *ctx, xmlErrorPtr err) {
	schemas_errors *e = (schemas_errors *) ctx;
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

import "errors"

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
