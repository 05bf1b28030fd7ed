/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { BaseHttpRequest } from './core/BaseHttpRequest';
import type { OpenAPIConfig } from './core/OpenAPI';
import { FetchHttpRequest } from './core/FetchHttpRequest';
import { ApiKeyService } from './services/ApiKeyService';
import { ConversationService } from './services/ConversationService';
import { HealthService } from './services/HealthService';
import { LimitsService } from './services/LimitsService';
import { MessageService } from './services/MessageService';
import { ModelService } from './services/ModelService';
import { OpenAiService } from './services/OpenAiService';
import { UsageService } from './services/UsageService';
type HttpRequestConstructor = new (config: OpenAPIConfig) => BaseHttpRequest;
export class BackendClient {
  public readonly apiKeyService: ApiKeyService;
  public readonly conversationService: ConversationService;
  public readonly healthService: HealthService;
  public readonly limitsService: LimitsService;
  public readonly messageService: MessageService;
  public readonly modelService: ModelService;
  public readonly openAiService: OpenAiService;
  public readonly usageService: UsageService;
  public readonly request: BaseHttpRequest;
  constructor(config?: Partial<OpenAPIConfig>, HttpRequest: HttpRequestConstructor = FetchHttpRequest) {
    this.request = new HttpRequest({
      BASE: config?.BASE ?? '',
      VERSION: config?.VERSION ?? '0.1.0',
      WITH_CREDENTIALS: config?.WITH_CREDENTIALS ?? false,
      CREDENTIALS: config?.CREDENTIALS ?? 'include',
      TOKEN: config?.TOKEN,
      USERNAME: config?.USERNAME,
      PASSWORD: config?.PASSWORD,
      HEADERS: config?.HEADERS,
      ENCODE_PATH: config?.ENCODE_PATH,
    });
    this.apiKeyService = new ApiKeyService(this.request);
    this.conversationService = new ConversationService(this.request);
    this.healthService = new HealthService(this.request);
    this.limitsService = new LimitsService(this.request);
    this.messageService = new MessageService(this.request);
    this.modelService = new ModelService(this.request);
    this.openAiService = new OpenAiService(this.request);
    this.usageService = new UsageService(this.request);
  }
}

