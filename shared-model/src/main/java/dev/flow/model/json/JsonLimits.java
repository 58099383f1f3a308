package dev.flow.model.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.math.BigDecimal;

/**
 * The bounds every JSON document a user sends is read within, whichever service reads it: the strict readers of
 * request bodies ({@link FlowJson#strict()}) and Quarkus's own mapper (service-support registers {@link #module()} and
 * {@link #constraints()} on it).
 *
 * <p>Why: a number such as {@code 1e500000000} is eleven characters of JSON but a {@link BigDecimal} whose
 * arithmetic (scale changes, {@code toBigInteger}, formatting) runs for minutes on an event loop. Its precision
 * and scale are checked the moment it is read, before any code computes with it.
 */
public final class JsonLimits {

    /** Significant digits of a number. */
    public static final int MAX_NUMBER_PRECISION = 30;
    /** Decimal places of a number ({@code 0.000000000001} is the smallest step). */
    public static final int MAX_NUMBER_SCALE = 12;
    /** Digits before the decimal point (precision − scale): {@code 1e18} is the largest magnitude. */
    public static final int MAX_NUMBER_INTEGER_DIGITS = 18;
    /** Characters of one number token (Jackson refuses longer ones before converting them). */
    public static final int MAX_NUMBER_LENGTH = 64;
    /** Nesting of objects and arrays. */
    public static final int MAX_NESTING_DEPTH = 32;
    /** Characters of one string value (the body size cap is lower still; this bounds what Jackson buffers). */
    public static final int MAX_STRING_LENGTH = 1024 * 1024;
    /** Characters of one field name. */
    public static final int MAX_NAME_LENGTH = 1024;

    private JsonLimits() {
    }

    /** Jackson's stream limits at the values above. */
    public static StreamReadConstraints constraints() {
        return StreamReadConstraints.builder()
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .build();
    }

    /** Registers the bounded {@link BigDecimal} reader. */
    public static SimpleModule module() {
        return new SimpleModule("flow-json-limits").addDeserializer(BigDecimal.class, new BoundedDecimal());
    }

    /**
     * Why {@code value} is out of bounds, or null when it is within them. Only reads precision and scale: never
     * computes with the number.
     */
    public static String outOfBounds(BigDecimal value) {
        int scale = value.scale();
        int precision = value.precision();
        if (precision > MAX_NUMBER_PRECISION) {
            return "has more than " + MAX_NUMBER_PRECISION + " significant digits";
        }
        if (scale > MAX_NUMBER_SCALE) {
            // 1E-13 and 0.1000000000000 alike; a trailing-zero form is refused too, which is simpler than normalising
            return "has more than " + MAX_NUMBER_SCALE + " decimal places";
        }
        // long arithmetic: scale may be near Integer.MIN_VALUE (1e2147483647)
        if ((long) precision - scale > MAX_NUMBER_INTEGER_DIGITS) {
            return "is larger than 1e" + MAX_NUMBER_INTEGER_DIGITS;
        }
        return null;
    }

    /** A number outside the bounds; its message says which bound, to be shown as the field's reason. */
    public static final class OutOfBounds extends InvalidFormatException {
        OutOfBounds(JsonParser p, String reason) {
            // the value is not kept: echoing 1e500000000 back would invite formatting it
            super(p, reason, null, BigDecimal.class);
        }

        /** The reason with the limits, for a {@code FieldError}. */
        public String reason() {
            return getOriginalMessage() + " (numbers: at most " + MAX_NUMBER_PRECISION + " significant digits, "
                    + MAX_NUMBER_SCALE + " decimal places, below 1e" + MAX_NUMBER_INTEGER_DIGITS + ")";
        }
    }

    /** Reads a JSON number as BigDecimal and refuses it (naming why) when out of bounds; strings are not numbers. */
    static final class BoundedDecimal extends StdScalarDeserializer<BigDecimal> {

        BoundedDecimal() {
            super(BigDecimal.class);
        }

        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken token = p.currentToken();
            if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                return (BigDecimal) ctxt.handleUnexpectedToken(BigDecimal.class, p);
            }
            // the textual form is at most MAX_NUMBER_LENGTH characters; new BigDecimal(text) is linear in it
            BigDecimal value = p.getDecimalValue();
            String why = outOfBounds(value);
            if (why != null) {
                throw new OutOfBounds(p, "number " + why);
            }
            return value;
        }
    }
}
