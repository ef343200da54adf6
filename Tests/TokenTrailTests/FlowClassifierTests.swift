import Testing
@testable import TokenTrail

@Suite struct FlowClassifierTests {
    @Test(arguments: [
        // API values, English labels, any case, Japanese labels
        ("Remote Access 2.0", "OauthClientCredentials", Flow.clientCredentials, FlowBasis.subtype),
        ("Remote Access 2.0", "OAuth Client Credentials", .clientCredentials, .subtype),
        ("remote access 2.0", "oauth client credentials", .clientCredentials, .subtype),
        ("リモートアクセス 2.0", "OAuth クライアントログイン情報", .clientCredentials, .subtype),
        ("i", "OauthRefreshToken", .refreshToken, .subtype),
        ("Remote Access 2.0", "OAuth Username-Password", .usernamePassword, .subtype),
        ("Remote Access 2.0", "OAuth Web Server", .webServer, .subtype),
        ("Remote Access 2.0", "OAuth User-Agent with ID Token", .userAgent, .subtype),
        ("Remote Access 2.0", "OauthHybridTokenExchange", .tokenExchange, .subtype),
        ("Application", "UI Username-Password", .ui, .subtype),
        ("Other Apex API", "SoapApiLoginUsernamePassword", .soapApi, .subtype),
        // Empty subtype: JWT bearer, but only inferred
        ("Remote Access 2.0", "", .jwtBearer, .inferred),
        ("リモートアクセス 2.0", "", .jwtBearer, .inferred),
        ("i", "", .jwtBearer, .inferred),
        // Login types that are not token-endpoint logins
        ("Application", "", .ui, .loginType),
        ("A", "", .ui, .loginType),
        ("I", "", .soapApi, .loginType),
        ("SAML Sfdc Initiated SSO", "", .saml, .loginType),
        ("8", "", .saml, .loginType),
        ("Partner Product", "", .other, .loginType),
    ])
    func classifiesServerLogins(loginType: String, subtype: String, flow: Flow, basis: FlowBasis) {
        let result = FlowClassifier.classifyLogin(loginType: loginType, subtype: subtype, jwtOnlyApp: false)
        #expect(result.0 == flow)
        #expect(result.1 == basis)
    }

    @Test func policyDeclaringJWTOnlyMakesAnEmptySubtypeLikely() {
        let result = FlowClassifier.classifyLogin(loginType: "Remote Access 2.0", subtype: "", jwtOnlyApp: true)
        #expect(result == (.jwtBearer, .policy))
    }

    @Test func orgsThatDoNotRecordSubtypesAreNotGuessedToBeJWT() {
        let result = FlowClassifier.classifyLogin(loginType: "i", subtype: "", jwtOnlyApp: false, recordsSubtype: false)
        #expect(result == (.oauthUnknown, .notExported))
        // A JWT-only policy does not change that: a missing column is not a blank value.
        #expect(FlowClassifier.classifyLogin(loginType: "Remote Access 2.0", subtype: "", jwtOnlyApp: true, recordsSubtype: false)
                == (.oauthUnknown, .notExported))
    }

    /// The older ELF Login column set has no LOGIN_TYPE: the URI tells the kind.
    @Test(arguments: [
        ("/services/oauth2/token", Flow.oauthUnknown, FlowBasis.notExported), ("/index.jsp", .ui, .loginType),
        ("/secur/frontdoor.jsp", .ui, .loginType), ("/services/Soap/u/52.0", .soapApi, .loginType),
        ("/services/Soap/c/58.0/00D", .soapApi, .loginType),
    ])
    func olderELFLoginsAreClassifiedByTheirURI(uri: String, flow: Flow, basis: FlowBasis) {
        #expect(FlowClassifier.classifyLogin(loginType: "", subtype: "", jwtOnlyApp: false, recordsSubtype: false, uri: uri) == (flow, basis))
    }

    @Test(arguments: [
        ("urn:ietf:params:oauth:grant-type:jwt-bearer", Flow.jwtBearer), ("client_credentials", .clientCredentials),
        ("refresh_token", .refreshToken), ("password", .usernamePassword), ("authorization_code", .webServer),
        ("urn:ietf:params:oauth:grant-type:token-exchange", .tokenExchange),
        ("urn:ietf:params:oauth:grant-type:device_code", .device), ("something_new", .other),
    ])
    func classifiesGrantTypes(grantType: String, flow: Flow) {
        #expect(FlowClassifier.flow(forGrantType: grantType) == flow)
    }
}

@Suite struct FailureClassTests {
    @Test(arguments: [
        ("Failed: Invalid Timestamp", FailureClass.expiredAssertion),
        ("LOGIN_OAUTH_INVALID_TIMESTAMP", .expiredAssertion),
        ("invalid_grant expired authorization code", .expiredAssertion),
        ("LOGIN_SAML_INVALID_TIMESTAMP", .expiredAssertion),
        ("audience is invalid", .audienceInvalid),
        ("user hasn't approved this consumer", .notApproved),
        ("Failed: Not approved for access", .notApproved),
        ("invalid_app_access user is not admin approved to access this app", .notApproved),
        ("Failed: Signature Invalid", .invalidAssertion),
        ("invalid_client_id client identifier invalid", .unknownClient),
        ("invalid_client invalid client credentials", .invalidClientSecret),
        ("no client credentials user enabled", .noRunAsUser),
        ("Failed: IP Address Not Allowed", .ipRestricted),
        ("LOGIN_ERROR_RESTRICTED_DOMAIN", .ipRestricted),
        ("Invalid Password", .invalidCredentials),
        ("無効なパスワードです。", .invalidCredentials),
        ("User is frozen", .userFrozen),
        ("Login rate exceeded", .rateLimited),
        ("E0000005 Invalid session", .invalidSession),
        ("E0000011 Invalid token provided", .invalidToken),
        ("no_matching_scope", .invalidScope),
        // Issue 26: the 2025–26 refusals (FORMATS.md §7), before the general classes their texts also hold.
        ("invalid_client app must be installed into org", .appNotInstalled),
        ("External client app is not installed in this org", .appNotInstalled),
        ("OAUTH_APPROVAL_ERROR_GENERIC", .appNotInstalled),
        ("invalid_dpop_proof DPoP proof JWT signature invalid", .dpopRejected),
        ("use_dpop_nonce", .dpopRejected),
        ("INVALID_SESSION_ID: This session is not valid for use with the API", .apiAccessControl),
        ("app.oauth2.token.detect_reuse", .tokenReuse),
        ("no_matching_policy", .policyDenied),
        ("Something nobody has seen", .other),
    ])
    func classifiesFailures(text: String, expected: FailureClass) {
        #expect(FailureClass.classify(text) == expected)
    }

    @Test(arguments: ["Success", "LOGIN_NO_ERROR", "成功", " success "])
    func recognizesSuccess(status: String) {
        #expect(LoginStatus.outcome(status).0 == .success)
    }
}

@Suite struct RedactorTests {
    @Test func scrubsCredentialsFromFreeText() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        let text = "Authorization: SSWS 00abcDEF123 and Bearer tok123 assertion=\(jwt) key=" + String(repeating: "A1", count: 20)
        let scrubbed = Redactor.scrub(text)
        for secret in ["00abcDEF123", "tok123", jwt, String(repeating: "A1", count: 20)] {
            #expect(!scrubbed.contains(secret), "\(secret) survived")
        }
        #expect(scrubbed.contains("SSWS [redacted sha256:"))
        #expect(Redactor.scrub("user hasn't approved this consumer") == "user hasn't approved this consumer")
    }

    /// Secrets as they appear inside free text of each kind TokenTrail stores.
    static let secretsInFreeText: [(text: String, secret: String)] = [
        ("https://login.salesforce.com/services/oauth2/token?grant_type=password&client_secret=S3cr3tValue&password=hunter2x",
         "S3cr3tValue"),
        ("https://login.salesforce.com/services/oauth2/token?grant_type=password&client_secret=S3cr3tValue&password=hunter2x",
         "hunter2x"),
        ("/services/data/v59.0/query?q=SELECT+Id+FROM+Account&access_token=00D5g000004AcmeE!AQ4AQFQm.tok3nValue", "tok3nValue"),
        ("/services/data/v59.0/sobjects/Account?oauth_token=abcDEF123456", "abcDEF123456"),
        ("/services/apexrest/x/00D5g000004Acme!AQ4AQFQmXz1yJ9kLw2bR7tUqP0sV3nC", "AQ4AQFQmXz1yJ9kLw2bR7tUqP0sV3nC"),
        ("https://svc:P4ssw0rd@hooks.example.com/x", "P4ssw0rd"),
        ("invalid header: Authorization: Bearer 00D5g000004AcmeE!ARabc.def", "ARabc.def"),
        ("{\"error\":\"invalid\",\"access_token\":\"opaque-tok-123\"}", "opaque-tok-123"),
        ("Invalid session: SSWS 00abcDEF123456_xyz was revoked", "00abcDEF123456_xyz"),
        ("request had refresh_token: 5Aep861TSESvWeug_xvFHRB", "5Aep861TSESvWeug_xvFHRB"),
        ("jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl rejected", "eyJhbGciOiJSUzI1NiJ9"),
        ("Basic dXNlcjpwYXNzd29yZA== sent", "dXNlcjpwYXNzd29yZA=="),
        ("key 0oa1b2c3d4E5F6G7H8I9J0k1L2m3N4o5P6q7 leaked", "0oa1b2c3d4E5F6G7H8I9J0k1L2m3N4o5P6q7"),
    ]

    @Test(arguments: secretsInFreeText)
    func scrubsEachKindOfFreeText(text: String, secret: String) {
        let scrubbed = Redactor.scrub(text)
        #expect(!scrubbed.contains(secret), "\(secret) survived in \(scrubbed)")
        #expect(scrubbed.contains("[redacted sha256:"))
    }

    /// Ordinary values of the same fields stay as they are.
    @Test(arguments: [
        "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token",
        "/services/data/v59.0/sobjects/Opportunity/describe/layouts/0125g000000AbCdEFG",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
        "python-requests/2.32.4", "Invalid password: check the user", "token expired at 10:02",
        "request 123e4567-e89b-12d3-a456-426614174000 failed", "Failed: Computer activation required",
        "user hasn't approved this consumer", "https://acme.okta.com/oauth2/default/v1/token",
        "Failed: JWT Bearer token expired", "the JWT bearer integration runs as one user", "SSWS header missing",
    ])
    func keepsOrdinaryFreeText(text: String) {
        #expect(Redactor.scrub(text) == text)
    }

    // Beyond the plain names: case, suffixes, infixes and each length bucket of the byte-level
    // check, and a non-ASCII key (the string path).
    @Test(arguments: ["assertion", "access_token", "refresh_token", "client_secret", "Authorization", "signature", "password", "id_token",
                      "API_KEY", "private_key", "x_key", "key", "SSWS", "sid", "db_password_hint", "mySecretValue", "OAuth_Token",
                      "jsessionid", "code_verifier", "clé_secret"])
    func secretKeys(key: String) { #expect(Redactor.isSecretKey(key)) }

    @Test(arguments: ["token_url", "token_type", "host", "sub", "client_id", "session_key", "login_key", "consumer_key", "monkey",
                      "tokenurl", "Token_Endpoint", "keys", "sessions", "clé", "passwd", ""])
    func ordinaryKeys(key: String) { #expect(!Redactor.isSecretKey(key)) }
}

@Suite struct HashingTests {
    @Test func sha256KnownVectors() {
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Fingerprint.of("abc") == "sha256:ba7816bf8f01cfea")
    }

    @Test func dedupKeysDependOnTheDatabaseKeyAndOnFieldBoundaries() {
        func hash(_ key: DedupKey, _ parts: [String]) -> Int64 {
            var hasher = key.hasher()
            for part in parts { hasher.combine(part) }
            return hasher.finalize()
        }
        let a = DedupKey(key0: 1, key1: 2), b = DedupKey(key0: 3, key1: 4)
        #expect(hash(a, ["ab", "c"]) == hash(a, ["ab", "c"]))
        #expect(hash(a, ["ab", "c"]) != hash(a, ["a", "bc"]))
        #expect(hash(a, ["ab", "c"]) != hash(b, ["ab", "c"]))
    }
}

/// Issue 24: a label TokenTrail does not know on a token-endpoint login is a token login of
/// unknown flow, not `other`; one address and one id have one spelling.
@Suite struct SpellingTests {
    @Test func anUnknownSubtypeLabelOnATokenLoginIsOAuthUnknown() {
        #expect(FlowClassifier.classifyLogin(loginType: "Remote Access 2.0", subtype: "OAuth JWT Bearer Token Flow (New)", jwtOnlyApp: false)
                == (.oauthUnknown, .unknownSubtype))
        #expect(FlowClassifier.classifyLogin(loginType: "i", subtype: "OAuth Klientanmeldeinformationen", jwtOnlyApp: false) == (.oauthUnknown, .unknownSubtype))
        // Known labels, in any spacing, stay what they are; white space alone is a blank subtype.
        #expect(FlowClassifier.classifyLogin(loginType: "Remote Access 2.0", subtype: "  OAuth Client Credentials ", jwtOnlyApp: false)
                == (.clientCredentials, .subtype))
        #expect(FlowClassifier.classifyLogin(loginType: "Remote Access 2.0", subtype: "   ", jwtOnlyApp: false) == (.jwtBearer, .inferred))
        // Not a token-endpoint login: an unknown label stays other.
        #expect(FlowClassifier.classifyLogin(loginType: "Partner Product", subtype: "Something New", jwtOnlyApp: false) == (.other, .subtype))
    }

    @Test func addressesHaveOneSpelling() {
        #expect(IPText.canonical("::ffff:203.0.113.77") == "203.0.113.77")
        #expect(IPText.canonical("::FFFF:203.0.113.77") == "203.0.113.77")
        #expect(IPText.canonical("2001:DB8:0:0:0:0:0:1") == "2001:db8::1")
        #expect(IPText.canonical("2001:db8::1") == "2001:db8::1")
        #expect(IPText.canonical("203.0.113.77") == "203.0.113.77")
        #expect(IPText.canonical("Salesforce.com IP") == "Salesforce.com IP")
        #expect(IPText.canonical("xxx.xxx.xxx.xxx") == "xxx.xxx.xxx.xxx")
    }

    @Test func an18CharacterIdHasTheCaseItsChecksumSays() {
        let long = SalesforceId.canonical("0055g00000ChatL")
        #expect(long == "0055g00000ChatLAAR")
        #expect(SalesforceId.canonical("0055g00000chatlaar") == long)
        #expect(SalesforceId.canonical("0055G00000CHATLAAR") == long)
        #expect(SalesforceId.canonical(long) == long)
        // Not an id: left as it came.
        #expect(SalesforceId.canonical("erp@acme.example") == "erp@acme.example")
    }
}
