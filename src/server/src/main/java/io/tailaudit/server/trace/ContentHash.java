package io.tailaudit.server.trace;

/**
 * 64-bit FNV-1a over the string forms of a sequence of values (null and separators included), so two
 * events hash alike exactly when their stored values are alike. Used to tell a redelivery from a
 * conflicting reuse of an id; not a security boundary.
 */
public final class ContentHash {

    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private long h = OFFSET;

    public ContentHash add(Object value) {
        if (value == null) {
            mix('\u0001');
        } else {
            String s = value.toString();
            for (int i = 0; i < s.length(); i++) {
                mix(s.charAt(i));
            }
        }
        mix('\u0000');
        return this;
    }

    public long value() {
        return h;
    }

    private void mix(char c) {
        h ^= c & 0xff;
        h *= PRIME;
        h ^= c >>> 8;
        h *= PRIME;
    }
}
