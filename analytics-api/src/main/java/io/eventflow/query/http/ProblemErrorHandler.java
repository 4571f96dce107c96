package io.eventflow.query.http;

import io.eventflow.eventstore.ElasticsearchClients;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's answers to requests it refuses before any route runs (a malformed URI, a bad header)
 * as RFC 9457 problems instead of HTML, and without any server detail.
 */
final class ProblemErrorHandler extends ErrorHandler {

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        int status = response.getStatus() >= 400 ? response.getStatus() : 400;
        byte[] body = Problems.body(ElasticsearchClients.objectMapper(), status, title(status),
                "the request could not be read", null, null, null);
        response.setContentType(Problems.PROBLEM_JSON);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Problems.PROBLEM_JSON);
        return ByteBuffer.wrap(Problems.body(ElasticsearchClients.objectMapper(), status, title(status),
                "the request could not be read", null, null, null));
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            default -> status >= 500 ? "Server Error" : "Client Error";
        };
    }
}
