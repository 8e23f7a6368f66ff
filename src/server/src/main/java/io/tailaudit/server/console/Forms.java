package io.tailaudit.server.console;

import io.quarkus.qute.TemplateInstance;
import io.tailaudit.server.tail.InvalidSettingException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The console's form plumbing, for every page with a form: what a form was sent with and the field error
 * to show again beside it, the parsing of its fields into values (a bad one is an
 * {@link InvalidSettingException} naming the field), and the two answers a post gets: 303 to the page that
 * shows what was saved, or 400 with the form again. Public for its records, which the templates render.
 */
public final class Forms {

    private Forms() {
    }

    /** A field error to show next to the field. */
    public record FieldError(String form, String field, String message) {

        public boolean on(String f, String name) {
            return form.equals(f) && field.equals(name);
        }
    }

    /** What a form was sent with, to show again when it was rejected. */
    public record Sent(Map<String, String> values) {

        static final Sent NOTHING = new Sent(Map.of());

        /** From field, value pairs; a field not sent is left out. */
        static Sent of(String... fieldValues) {
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < fieldValues.length; i += 2) {
                if (fieldValues[i + 1] != null) {
                    m.put(fieldValues[i], fieldValues[i + 1]);
                }
            }
            return new Sent(m);
        }

        public String get(String key, Object fallback) {
            String v = values.get(key);
            return v != null ? v : fallback == null ? "" : String.valueOf(fallback);
        }
    }

    /** A finite number, or null when the field is empty. */
    static Double number(String field, String value) {
        String v = ConsoleResource.blank(value);
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(field, field + " must be a number, got '" + v + "'");
        }
    }

    /** A finite number the form must have. */
    static double required(String field, String value) {
        Double d = number(field, value);
        if (d == null) {
            throw new InvalidSettingException(field, field + " is required");
        }
        return d;
    }

    /** A whole number the form must have, {@code what} naming its unit in the error ("seconds"). */
    static int whole(String field, String value, String what) {
        String v = value == null ? "" : value.trim();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(field, field + " must be a whole number" + (what.isEmpty() ? ""
                    : " of " + what) + ", got '" + value + "'");
        }
    }

    /** The form's page again with what was wrong: 400. */
    /**
     * A checkbox sent after a hidden field of the same name with {@code false}: checked sends both values,
     * unchecked only the hidden one; neither (a form without the field) leaves the setting as it is.
     */
    static Boolean checkbox(java.util.List<String> values) {
        return values == null || values.isEmpty() ? null : values.contains("true");
    }

    static Response rejected(TemplateInstance page) {
        return Response.status(Response.Status.BAD_REQUEST).entity(page).type(MediaType.TEXT_HTML).build();
    }

    /** Saved: 303 to the page that shows it. */
    static Response saved(String location) {
        return Response.seeOther(URI.create(location)).build();
    }
}
