package dev.flow.submitter.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
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

    /** Parses and checks a body; the volume it asks for, with VolumeSpec's rules (a missing name is generated). */
    static Parsed parse(String json) {
        VolumeRequest request = StrictJson.read(json, VolumeRequest.class, FIELDS,
                "{\"size_gb\": 100, \"name\": \"my-data\"}");
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
