package dev.flow.submitter.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.json.FlowJson;
import dev.flow.model.task.VolumeInterface;
import dev.flow.model.task.VolumeSpec;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.hibernate.validator.HibernateValidator;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The body of {@code POST /v1/volumes} (the seed's {@code create_volume(size_gb, name=None, interface="block")}),
 * read strictly: unknown fields and wrong JSON types are 422s naming the field.
 *
 * @param region null: the platform's default (see {@code InstanceCatalog#defaultRegion})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "CreateVolume")
public record VolumeRequest(Integer sizeGb, String name, @JsonProperty("interface") String volumeInterface,
                            String region) {

    private static final List<String> FIELDS = List.of("size_gb", "name", "interface", "region");
    /** VolumeSpec's property names → this API's field names. */
    private static final Map<String, String> FIELD_OF = Map.of("name", "name", "sizeGb", "size_gb",
            "volumeInterface", "interface", "mountPath", "mount_path");
    /**
     * VolumeSpec's own constraints. Its own Hibernate Validator, as shared-model's TaskConfigValidator: Quarkus's
     * build-time validator only knows the constraints of classes it indexed, and VolumeSpec lives in a library jar.
     */
    private static final Validator VALIDATOR = Validation.byProvider(HibernateValidator.class).configure()
            .defaultLocale(Locale.ENGLISH).locales(Locale.ENGLISH).buildValidatorFactory().getValidator();
    private static final ObjectReader STRICT = ((JsonMapper) FlowJson.mapper()).rebuild()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build().readerFor(VolumeRequest.class);

    /** Parses and checks a body; the volume it asks for, with VolumeSpec's rules (a missing name is generated). */
    static Parsed parse(String json) {
        if (json == null || json.isBlank()) {
            throw ValidationError.of(FieldError.of("", "the request body is empty; expected {\"size_gb\": 100, "
                    + "\"name\": \"my-data\"}"));
        }
        VolumeRequest request;
        try {
            request = STRICT.readValue(json);
        } catch (UnrecognizedPropertyException e) {
            throw ValidationError.of(new FieldError(e.getPropertyName(), "unknown field",
                    Suggestions.closestWithin(e.getPropertyName(), FIELDS, 4)));
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "" : e.getPath().getLast().getFieldName();
            throw ValidationError.of(FieldError.of(field == null ? "" : field, "has the wrong JSON type"));
        } catch (JsonProcessingException e) {
            throw ValidationError.of(FieldError.of("", "malformed JSON: " + e.getOriginalMessage()));
        }
        if (request == null) {
            throw ValidationError.of(FieldError.of("", "expected a JSON object"));
        }
        List<FieldError> errors = new ArrayList<>();
        if (request.sizeGb() == null) {
            errors.add(new FieldError("size_gb", "is required", "100"));
        }
        VolumeInterface kind = VolumeInterface.BLOCK;
        if (request.volumeInterface() != null) {
            try {
                kind = VolumeInterface.parse(request.volumeInterface());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("interface", e.getMessage(), "block"));
            }
        }
        if (request.region() != null && request.region().isBlank()) {
            errors.add(FieldError.of("region", "must not be blank; leave it out for the default region"));
        }
        String name = request.name() != null ? request.name() : generatedName();
        VolumeSpec spec = new VolumeSpec(name, request.sizeGb(), null, kind);
        for (ConstraintViolation<VolumeSpec> v : VALIDATOR.validate(spec)) {
            String property = v.getPropertyPath().toString();
            if (!(property.equals("sizeGb") && request.sizeGb() == null)) {
                errors.add(FieldError.of(FIELD_OF.getOrDefault(property, property), v.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        return new Parsed(spec, request.region());
    }

    /** The seed lets a volume be created without a name; Mithril needs one. */
    private static String generatedName() {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        StringBuilder name = new StringBuilder("volume-");
        for (int i = 0; i < 12; i++) {
            name.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return name.toString();
    }

    record Parsed(VolumeSpec spec, String region) {
    }
}
