package dev.flow.mithril.client.it;

import dev.flow.mithril.client.MithrilApiException;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.model.error.AuthenticationError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.flow.mithril.client.it.ClientFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@ExtendWith(EmulatorExtension.class)
class AuthenticationIT {

    private static final String WRONG_KEY = "fkey_wrongWRONGwrong987654321";

    private final Logger clientLog = Logger.getLogger(MithrilClient.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level previous;

    @BeforeEach
    void captureClientLog() {
        previous = clientLog.getLevel();
        clientLog.setLevel(Level.ALL);
        clientLog.addHandler(capture);
    }

    @AfterEach
    void restoreLog() {
        clientLog.removeHandler(capture);
        clientLog.setLevel(previous);
    }

    @Test
    void aWrongKeyIsATypedAuthenticationErrorThatNeverShowsTheKey(EmulatorServer emulator) {
        try (MithrilClient client = MithrilClient.create(ClientFixture.config(emulator, WRONG_KEY))) {
            Throwable failure = catchThrowable(() -> get(client.projects()));

            assertThat(failure).isInstanceOf(AuthenticationError.class);
            assertThat(failure.getCause()).isInstanceOfSatisfying(MithrilApiException.class,
                    api -> assertThat(api.status()).isEqualTo(401));
            assertThat(stackText(failure)).doesNotContain(WRONG_KEY).doesNotContain("wrongWRONG");
            // 401 is final: one request, no retries
            assertThat(records).noneMatch(r -> formatted(r).contains("retry"));
        }
        assertThat(records).as("request logging happened").isNotEmpty();
        assertThat(records).allSatisfy(r -> assertThat(formatted(r)).doesNotContain(WRONG_KEY));
    }

    @Test
    void theRightKeyIsNeverLoggedEither(EmulatorServer emulator) {
        try (MithrilClient client = MithrilClient.create(ClientFixture.config(emulator, EmulatorServer.API_KEY))) {
            assertThat(get(client.me()).fid()).startsWith("user_");
            assertThat(client.config().toString()).doesNotContain(EmulatorServer.API_KEY);
        }
        assertThat(records).isNotEmpty();
        assertThat(records).allSatisfy(r -> assertThat(formatted(r)).doesNotContain(EmulatorServer.API_KEY)
                .doesNotContain("Bearer fkey"));
        assertThat(records).anySatisfy(r -> assertThat(formatted(r)).contains("/v2/me"));
    }

    private static String formatted(LogRecord r) {
        String message = r.getMessage();
        Object[] params = r.getParameters();
        return params == null ? message : java.text.MessageFormat.format(message, params);
    }

    private static String stackText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}
