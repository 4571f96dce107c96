package io.eventflow.query.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** RFC 9457 problem bodies. */
final class Problems {
    static final String PROBLEM_JSON = "application/problem+json";

    private Problems() {
    }

    static byte[] body(ObjectMapper json, int status, String title, String detail, String parameter,
            List<String> allowed, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance.length() > 200 ? instance.substring(0, 200) : instance);
        }
        if (parameter != null) {
            body.put("parameter", parameter.length() > 64 ? parameter.substring(0, 64) : parameter);
        }
        if (allowed != null) {
            body.put("allowed", allowed);
        }
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            return ("{\"title\":\"" + title + "\",\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
