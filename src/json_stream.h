/*-------------------------------------------------------------------------
 *
 * json_stream.h
 *	  What the readers of a JSON document's text share (src/json_stream.c):
 *	  scalars checked and converted as jsonb_in does, a builder that turns
 *	  the parser's events for one value into a jsonb of its own, a reader
 *	  of the events by depth that builds the values it is asked for, and
 *	  the error ingest raises for a malformed document.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSON_STREAM_H
#define JSON_STREAM_H

#include "common/jsonapi.h"
#include "utils/jsonb.h"

/* Interrupts are checked at least this often, in scalars. */
#define JSON_STREAM_SCALARS_PER_INTERRUPT_CHECK 4096

/*
 * One value being built from events: begun at the depth of its first
 * event, complete when the event that closes that depth arrives.  The
 * value is built in cxt, which the caller resets when done with it.
 */
typedef struct JsonCapture
{
	bool		active;
	int			depth;			/* of the value */
	JsonbParseState *ps;
	MemoryContext cxt;			/* where the value is built */
	MemoryContext back;			/* the context before it began */
} JsonCapture;

extern void json_check_string_len(size_t len);
extern void json_scalar_value(char *token, JsonTokenType type, JsonbValue *v);
extern const char *json_scalar_type_name(JsonTokenType type);
extern void json_key_value(char *fname, JsonbValue *k);

extern void jsonb_root_value(Jsonb *jb, JsonbValue *v);
extern text *jsonb_root_text(Jsonb *jb);
extern Jsonb *jsonb_copy_to(MemoryContext cxt, Jsonb *jb);

extern void json_capture_begin(JsonCapture *c, int depth);
extern void json_capture_open(JsonCapture *c, bool object);
extern Jsonb *json_capture_close(JsonCapture *c, bool object, int depth);
extern void json_capture_key(JsonCapture *c, char *fname);
extern Jsonb *json_capture_scalar(JsonCapture *c, JsonbValue *v);

/*
 * A reader of a document's events by depth (json_stream_parse()): the
 * plumbing the readers share.  The handler says which values to build, by
 * the member or element they begin; every scalar is checked as jsonb_in
 * checks it, and the values not built are only checked.  Depth 0 is the
 * document itself, 1 its members or elements, and so on.  Every callback
 * may be NULL.
 */
typedef struct JsonStream JsonStream;

typedef struct JsonStreamHandler
{
	/* a member named name begins, its value at depth d: a tag to build it, or 0 */
	int			(*member) (JsonStream *js, const char *name, int d);
	/* an element of an array begins at depth d: a tag to build it, or 0 */
	int			(*element) (JsonStream *js, int d);
	/* a value that is not built begins at depth d; type is its jsonb_typeof */
	void		(*value) (JsonStream *js, const char *type, int d);
	/* a container that is not built ends at depth d */
	void		(*end) (JsonStream *js, bool object, int d);
	/* the value asked for with tag is complete */
	void		(*built) (JsonStream *js, int tag, Jsonb *jb);
} JsonStreamHandler;

struct JsonStream
{
	const JsonStreamHandler *h;
	void	   *arg;			/* the reader's state */
	int			depth;			/* containers open */
	uint32		scalars;
	int			pending;		/* the tag of the value next at pending_depth */
	int			pending_depth;
	int			building;		/* the tag of the value being built, or 0 */
	JsonCapture cap;
	JsonLexContext *lex;
};

extern void json_stream_init(JsonStream *js, const JsonStreamHandler *h, void *arg,
							 MemoryContext build_cxt);
extern void json_stream_parse(JsonStream *js, const char *text, int len, int root_tag,
							  const char *label);

extern char *json_context_line(const char *context);
extern void json_parse_as_ingest(JsonLexContext *lex, JsonSemAction *sem,
								 const char *label);

#endif							/* JSON_STREAM_H */
