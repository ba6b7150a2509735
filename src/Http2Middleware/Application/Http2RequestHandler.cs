namespace Http2Lab.Http2.Application;

/// <summary>Handles one request by writing its response. The stream ends when the returned task completes.</summary>
public delegate Task Http2RequestHandler(Http2Request request, Http2Response response);
